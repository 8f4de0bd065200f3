-- piwip link protocol v1 (docs/link.md) in pure Lua 5.3: SLIP framing, CRC-16/CCITT-FALSE, message payloads.
-- No I/O here: the mod moves the bytes. Numbers are little-endian via string.pack/unpack (Lua 5.3).

local link = {}

link.PROTOCOL = 1
link.END, link.ESC = "\192", "\219"
link.MAX_PAYLOAD = 8192

-- host -> module
link.T = {
  HELLO = 0x01, PING = 0x02, KEY = 0x03, ENC = 0x04, MIDI = 0x05, MODE = 0x06, PARAM_LIST = 0x07,
  PARAM_GET = 0x08, PARAM_SET = 0x09, PARAM_DELTA = 0x0A, PSET_GET = 0x0B, PSET_PUT = 0x0C, PSET_LIST = 0x0D,
  PSET_OP = 0x0E, SCREEN = 0x0F, TELEMETRY = 0x10,
}
-- module -> host
link.M = {
  HELLO = 0x41, PONG = 0x42, PARAM_INFO = 0x43, PARAM_VALUE = 0x44, PSET_TEXT = 0x45, PSET_RESULT = 0x46,
  PSET_SLOTS = 0x47, SCREEN = 0x48, TELEMETRY = 0x49, LOG = 0x4A, ACK = 0x4B, UPLOAD_STATUS = 0x60,
}

-- CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), table-driven: one table lookup per byte.
local CRC = {}
for i = 0, 255 do
  local c = i << 8
  for _ = 1, 8 do
    if c & 0x8000 ~= 0 then c = ((c << 1) ~ 0x1021) & 0xFFFF else c = (c << 1) & 0xFFFF end
  end
  CRC[i] = c
end

function link.crc16(s, i, j)
  local crc = 0xFFFF
  local byte = string.byte
  i = i or 1
  j = j or #s
  -- string.byte in slices of 64 keeps the C stack small and avoids one call per byte
  local k = i
  while k <= j do
    local e = math.min(j, k + 63)
    local t = { byte(s, k, e) }
    for n = 1, #t do crc = ((crc << 8) & 0xFF00) ~ CRC[((crc >> 8) ~ t[n]) & 0xFF] end
    k = e + 1
  end
  return crc
end

local ESCAPE = { ["\192"] = "\219\220", ["\219"] = "\219\221" }
local UNESCAPE = { ["\219\220"] = "\192", ["\219\221"] = "\219" }

--- One frame, SLIP-escaped, END before and after.
function link.encode(type, seq, payload)
  payload = payload or ""
  assert(#payload <= link.MAX_PAYLOAD, "payload too long")
  local body = string.pack("<BBI2", type, seq & 0xFF, #payload) .. payload
  body = body .. string.pack("<I2", link.crc16(body))
  return "\192" .. body:gsub("[\192\219]", ESCAPE) .. "\192"
end

-- Incremental decoder: push() any slices of the stream (norns serial events are <= 256 bytes, split and merged
-- anywhere), get back the frames whose CRC matched. Anything undecodable up to the next END is counted as corrupt.
local Decoder = {}
Decoder.__index = Decoder

function link.decoder()
  return setmetatable({ partial = "", overflow = false, last_seq = -1,
    frames = 0, corrupt = 0, lost = 0 }, Decoder)
end

function Decoder:reset()
  self.partial = ""
  self.overflow = false
  self.last_seq = -1
end

-- a SLIP body never exceeds twice the largest frame; more without an END is garbage
local MAX_ESCAPED = 2 * (link.MAX_PAYLOAD + 6)

function Decoder:body(s)
  if s:find("\219[^\220\221]") or s:sub(-1) == "\219" then return nil end
  local b = s:gsub("\219[\220\221]", UNESCAPE)
  local n = #b
  if n < 6 then return nil end
  local t, seq, len = string.unpack("<BBI2", b)
  if len + 6 ~= n then return nil end
  if link.crc16(b, 1, n - 2) ~= string.unpack("<I2", b, n - 1) then return nil end
  if self.last_seq >= 0 and seq ~= ((self.last_seq + 1) & 0xFF) then
    self.lost = self.lost + ((seq - self.last_seq - 1) & 0xFF)
  end
  self.last_seq = seq
  self.frames = self.frames + 1
  return { type = t, seq = seq, payload = b:sub(5, 4 + len) }
end

function Decoder:push(data)
  local out = {}
  local s = self.partial .. data
  local start = 1
  while true do
    local e = s:find("\192", start, true)
    if not e then break end
    if e > start or self.overflow then
      local f = (not self.overflow) and self:body(s:sub(start, e - 1)) or nil
      if f then out[#out + 1] = f else self.corrupt = self.corrupt + 1 end
    end
    self.overflow = false
    start = e + 1
  end
  self.partial = s:sub(start)
  if #self.partial > MAX_ESCAPED then
    self.partial = ""
    self.overflow = true
  end
  return out
end

-- ---- host -> module payloads ----------------------------------------------------------------------------------
local function str(s) s = s:sub(1, 255); return string.pack("<s1", s) end
link.str = str

link.enc = {
  hello = function(host) return string.pack("<I2", link.PROTOCOL) .. str(host) end,
  ping = function(ms) return string.pack("<I4", math.floor(ms) & 0xFFFFFFFF) end,
  key = function(n, z) return string.pack("<BB", n, z) end,
  enc = function(n, d) return string.pack("<Bb", n, math.max(-128, math.min(127, math.floor(d)))) end,
  midi = function(bytes)
    if type(bytes) == "string" then return bytes end
    local t = {}
    for i, b in ipairs(bytes) do t[i] = string.char(b & 0xFF) end
    return table.concat(t)
  end,
  mode = function(m) return string.pack("<B", m) end,
  param_get = function(i) return string.pack("<I2", i) end,
  param_set = function(i, v) return string.pack("<I2d", i, v) end,
  param_delta = function(i, d, fine) return string.pack("<I2bB", i, d, fine and 1 or 0) end,
  pset_get = function(name) return str(name or "") end,
  pset_put = function(text) return text end,
  pset_op = function(op, slot) return string.pack("<BB", ({ save = 1, load = 2, delete = 3 })[op], slot) end,
  screen = function(fps, full) return string.pack("<BB", fps, full and 1 or 0) end,
  telemetry = function(hz) return string.pack("<B", hz) end,
}

-- ---- module -> host payloads ----------------------------------------------------------------------------------
-- Each decoder returns a table, or nil and a reason for a payload that is too short or malformed.
local dec = {}
link.dec = dec

local function guard(f)
  return function(p)
    local ok, r = pcall(f, p)
    if ok then return r end
    return nil, "bad payload"
  end
end

dec[link.M.HELLO] = guard(function(p)
  local h = {}
  local pos
  h.protocol, h.abi, h.sample_rate, h.block_size, h.rec_seconds, h.caps, h.engine_ok, pos =
    string.unpack("<I2I2I4I2fBB", p)
  h.engine_ok = h.engine_ok == 1
  h.firmware, h.version, h.board, h.engine_hash = string.unpack("<s1s1s1s1", p, pos)
  return h
end)

dec[link.M.PONG] = guard(function(p)
  local host, mod = string.unpack("<I4I4", p)
  return { host_ms = host, module_ms = mod }
end)

dec[link.M.PARAM_INFO] = guard(function(p)
  local index, count, pos = string.unpack("<I2I2", p)
  return { index = index, count = count, json = p:sub(pos) }
end)

dec[link.M.PARAM_VALUE] = guard(function(p)
  local index, value, formatted = string.unpack("<I2ds1", p)
  return { index = index, value = value, formatted = formatted }
end)

dec[link.M.PSET_TEXT] = function(p) return { text = p } end

dec[link.M.PSET_RESULT] = guard(function(p)
  local r = {}
  r.applied, r.clamped, r.unknown, r.corrupt, r.duplicate, r.first_corrupt_line, r.name = string.unpack("<i2i2i2i2i2i2s1", p)
  return r
end)

dec[link.M.PSET_SLOTS] = guard(function(p)
  local last, pos = string.unpack("<B", p)
  local slots = {}
  while pos <= #p do
    local slot, name
    slot, name, pos = string.unpack("<Bs1", p, pos)
    slots[#slots + 1] = { slot = slot, name = name }
  end
  return { last = last, slots = slots }
end)

--- PackBits decode of one 64-byte screen row starting at pos; returns the row and the position after it.
function link.unpackbits(p, pos, n)
  n = n or 64
  local parts, o = {}, 0
  while o < n do
    local h = p:byte(pos)
    if not h then return nil end
    pos = pos + 1
    if h < 128 then
      local k = h + 1
      if o + k > n or pos + k - 1 > #p then return nil end
      parts[#parts + 1] = p:sub(pos, pos + k - 1)
      pos = pos + k
      o = o + k
    elseif h > 128 then
      local k = 257 - h
      local b = p:sub(pos, pos)
      if o + k > n or b == "" then return nil end
      parts[#parts + 1] = b:rep(k)
      pos = pos + 1
      o = o + k
    end
  end
  return table.concat(parts), pos
end

dec[link.M.SCREEN] = guard(function(p)
  local frame, flags, count, pos = string.unpack("<I4BB", p)
  local rows = {}
  for _ = 1, count do
    local y = p:byte(pos)
    if not y or y >= 64 then error("row") end
    local data
    data, pos = link.unpackbits(p, pos + 1, 64)
    if not data then error("packbits") end
    rows[#rows + 1] = { y = y, data = data }
  end
  return { frame = frame, full = flags & 1 == 1, rows = rows }
end)

dec[link.M.TELEMETRY] = guard(function(p)
  local t = {}
  local flags, pos
  t.time, flags, t.mode, t.takes, t.level, t.pitch_hz, t.median_hz, t.loop_end, t.beats, pos =
    string.unpack("<dBBI2fffff", p)
  t.recording = flags & 1 ~= 0
  t.armed = flags & 2 ~= 0
  t.forced = flags & 4 ~= 0
  t.monitor = flags & 8 ~= 0
  t.menu = flags & 16 ~= 0
  t.voices = {}
  for v = 1, 5 do
    local note, started, position
    note, started, position, pos = string.unpack("<BBf", p, pos)
    t.voices[v] = { note = note, started = started == 1, pos = position }
  end
  t.cpu_mean, t.cpu_worst, t.xruns, t.rx_frames, t.rx_corrupt, t.rx_dropped, t.rx_lost, t.tx_dropped, t.blocks =
    string.unpack("<ffI4I4I4I4I4I4I4", p, pos)
  return t
end)

dec[link.M.LOG] = guard(function(p)
  local level, pos = string.unpack("<B", p)
  return { level = level, text = p:sub(pos) }
end)

dec[link.M.ACK] = guard(function(p)
  local t, seq, code, text = string.unpack("<BBi2s1", p)
  return { type = t, seq = seq, code = code, text = text }
end)

dec[link.M.UPLOAD_STATUS] = guard(function(p)
  local stage, received, code, text = string.unpack("<BI4i2s1", p)
  return { stage = stage, received = received, code = code, text = text }
end)

return link
