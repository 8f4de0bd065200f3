-- norns midi, crow and mod-hook doubles. Copies:
--  * midi: midi.vports[1..16] with the device name, midi.connect(n) returns vport n whose .event(data) gets the
--    raw bytes of each message (lua/core/midi.lua:46-70, :192-195, _norns.midi.event :461)
--  * crow: assignments and calls on `crow.*` become Lua text sent to crow: keys as [%g] / [%q], numbers as %.6g,
--    strings as %q (lua/core/crow/quote.lua Q.key/Q.quote); assigning a function registers an event key
--    A..Z, a..z and sends `function(...)_c.tell("A",quote(...))end` (lua/core/crow.lua:110-119, :190-233);
--    incoming text is buffered up to a control character and `^^` is rewritten to `norns.crow.events.` and
--    loaded (lua/core/crow.lua:26-45)
--  * mods: require 'core/mods' gives hook.register(which, name, fn) (lua/core/mods.lua:131-140); hooks
--    system_post_startup, script_pre_init, script_post_init, script_post_cleanup (lua/core/script.lua:11-30,
--    :139-140, :229; matron/src/main.c:125-136)
local wire = require 'wire'
local D = {}

-- midi ---------------------------------------------------------------------------------------------------------
local midi = { vports = {} }
for i = 1, 16 do midi.vports[i] = { name = "none", event = nil, sent = {} } end
function midi.connect(n)
  n = n or 1
  local v = midi.vports[n]
  v.connected = true
  return v
end
D.midi = midi
function D.midi_event(n, bytes)
  local v = midi.vports[n]
  if v.connected and v.event then v.event(bytes) end
end

-- crow ---------------------------------------------------------------------------------------------------------
local function qkey(ix) return string.format(type(ix) == "number" and "[%g]" or "[%q]", ix) end
local function quote(v, ...)
  if select("#", ...) > 0 then
    local t = { quote(v) }
    for _, x in ipairs({ ... }) do t[#t + 1] = quote(x) end
    return table.concat(t, ",")
  end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "number" then return string.format("%.6g", v) end
  return tostring(v)
end
D.crow_quote = quote

local events = {}
local nevents = 0
local function send(s) wire.out("crow", (s:gsub("\n", "\\n"))) end
local function register(fn)
  nevents = nevents + 1
  local c = nevents <= 26 and utf8.char(nevents + 64) or utf8.char(nevents + 70)
  events[c] = fn
  return c
end
local sub = {
  __index = function(self, ix) self.str = self.str .. qkey(ix); return self end,
  __newindex = function(self, ix, val)
    local s
    if type(val) == "function" then s = 'function(...)_c.tell(' .. quote(register(val)) .. ',quote(...))end'
    else s = quote(val) end
    send(self.str .. qkey(ix) .. "=" .. s)
  end,
  __call = function(self, ...)
    local qt = select("#", ...) > 0 and quote(...) or ""
    send(self.str .. "(" .. qt .. ")")
  end,
}
local crow = setmetatable({}, {
  __index = function(_, ix) return setmetatable({ str = ix }, sub) end,
  __newindex = function(_, ix, v) send(ix .. "=" .. quote(v)) end,
  __call = function(_, s) send(s) end,
})
-- the helpers norns defines on the crow table itself (lua/core/crow.lua:181-186)
rawset(crow, "reset", function() send("crow.reset()") end)
rawset(crow, "clear", function() send("^^c") end)
rawset(crow, "version", function() send("^^v") end)
rawset(crow, "identity", function() send("^^i") end)
D.crow = crow
D.crow_events = events
function D.crow_reset_events() for k in pairs(events) do events[k] = nil end; nevents = 0 end

local ebuf = ""
function D.crow_event(line)
  local n, m = line:find("%c+")
  if not n then ebuf = ebuf .. line; return end
  local seg = ebuf .. line:sub(1, n - 1)
  ebuf = ""
  local code, reps = seg:gsub("%^%^", "norns.crow.events.")
  if reps > 0 then assert(load(code))() end
  if m < #line then D.crow_event(line:sub(m + 1)) end
end

-- mods ---------------------------------------------------------------------------------------------------------
D.hooks = { system_post_startup = {}, script_pre_init = {}, script_post_init = {}, script_post_cleanup = {} }
D.mods = { hook = { register = function(which, name, fn) D.hooks[which][name] = fn end,
  deregister = function(which, name) D.hooks[which][name] = nil end } }
function D.run_hook(which) for _, fn in pairs(D.hooks[which]) do fn() end end

return D
