-- crow from norns: what the module plays becomes CV through norns' own crow API (lua/core/crow.lua: assignments and
-- calls on `crow.*` are sent to crow as Lua text; a function assigned to an input becomes a `^^` event back).
--   out 1  the note being played (harmonizer / MIDI / ensemble: the module's TELEMETRY voices) or the detected
--          input pitch, at 1 V/oct: (note - 60) / 12
--   out 2  a gate (5 V while the note sounds, low between notes) or an AR envelope per note
--   out 3/4  optionally the same for a second sounding voice
--   in 1   a rising edge arms recording (as K2) or forces it (as K3)
-- The same mapping drives crow from a computer in host/crow/mapping.ts (`piwip connect --crow`).

local C = {}
C.__index = C

C.OUT1 = { "off", "played note", "detected pitch" }
C.OUT2 = { "off", "gate", "ar envelope" }
C.OUT34 = { "off", "second voice" }
C.IN1 = { "off", "arm (K2)", "force (K3)" }
C.GATE_VOLTS = 5

function C.volts(note) return (note - 60) / 12 end

--- Detected pitch (Hz) as a fractional MIDI note.
function C.hz_note(hz) return 69 + 12 * math.log(hz / 440, 2) end

--- crow: norns' `crow` table; key(n) presses and releases module key n.
function C.new(crow, key)
  return setmetatable({ crow = crow, key = key, out1 = 2, out2 = 2, out34 = 1, in1 = 2, attack = 0.01,
    release = 0.5, v = { {}, {} } }, C)
end

function C:add_params(params)
  params:add_group("piwip_crow", "crow", 6)
  params:add_option("crow_out1", "crow out 1", C.OUT1, self.out1)
  params:set_action("crow_out1", function(x) self.out1 = x; self:reset_voice(1) end)
  params:add_option("crow_out2", "crow out 2", C.OUT2, self.out2)
  params:set_action("crow_out2", function(x) self.out2 = x; self:setup_outputs() end)
  params:add_option("crow_out34", "crow out 3/4", C.OUT34, self.out34)
  params:set_action("crow_out34", function(x) self.out34 = x; self:reset_voice(2); self:setup_outputs() end)
  params:add_option("crow_in1", "crow in 1", C.IN1, self.in1)
  params:set_action("crow_in1", function(x) self.in1 = x; self:setup_input() end)
  params:add_control("crow_attack", "crow attack", self.spec(0.001, 2, self.attack))
  params:set_action("crow_attack", function(x) self.attack = x; self:setup_outputs() end)
  params:add_control("crow_release", "crow release", self.spec(0.01, 5, self.release))
  params:set_action("crow_release", function(x) self.release = x; self:setup_outputs() end)
end

-- filled in by the script with norns' controlspec (kept out of this file so it stays testable on its own)
C.spec = nil

function C:reset_voice(i) self.v[i] = {} end

--- (Re)send the output actions and the input mode: on script start and whenever crow is (re)connected.
function C:setup()
  self.v = { {}, {} }
  self:setup_outputs()
  self:setup_input()
end

function C:setup_outputs()
  for _, out in ipairs({ 2, 4 }) do
    if self.out2 == 3 then
      self.crow.output[out].action = string.format("ar(%.4g,%.4g,%g)", self.attack, self.release, C.GATE_VOLTS)
    end
  end
end

function C:setup_input()
  if self.in1 == 1 then
    self.crow.input[1].mode("none")
    return
  end
  -- rising edge over 1 V, 0.1 V hysteresis (crow reference: input modes, 'change')
  self.crow.input[1].mode("change", 1.0, 0.1, "rising")
  self.crow.input[1].change = function(state)
    if state == 1 or state == true then self.key(self.in1 == 2 and 2 or 3) end
  end
end

-- one voice's note (0 = silent) -> pitch out, gate/envelope out
function C:voice(i, note, pitch_out, gate_out)
  local s = self.v[i]
  if note == s.note then return end
  local was = s.note or 0
  s.note = note
  if note > 0 then
    self.crow.output[pitch_out].volts = C.volts(note)
    if self.out2 == 2 then
      if was > 0 then self.crow.output[gate_out].volts = 0 end -- a new note: a new rising edge
      self.crow.output[gate_out].volts = C.GATE_VOLTS
    elseif self.out2 == 3 then
      self.crow.output[gate_out]()
    end
  elseif self.out2 == 2 and was > 0 then
    self.crow.output[gate_out].volts = 0
  end
end

--- The voices' notes that sound now: the first two voices holding a note.
function C.sounding(t)
  local out = {}
  for _, v in ipairs(t.voices) do
    if v.note > 0 then out[#out + 1] = v.note end
  end
  return out
end

--- One TELEMETRY (decoded by lib/link.lua): update the outputs that changed.
function C:telemetry(t)
  if self.out1 == 1 then return end
  local notes = C.sounding(t)
  if self.out1 == 3 then
    -- the detected pitch, rounded to the nearest cent so small wobbles do not flood crow
    local n = t.pitch_hz > 0 and math.floor(C.hz_note(t.pitch_hz) * 100 + 0.5) / 100 or 0
    self:voice(1, n, 1, 2)
  else
    self:voice(1, notes[1] or 0, 1, 2)
  end
  if self.out34 == 2 then self:voice(2, notes[2] or 0, 3, 4) end
end

return C
