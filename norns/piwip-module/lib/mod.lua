-- piwip-module mod: owns the USB serial link to a piwip module for as long as norns runs.
-- Why a mod and not the script: matron scans USB devices once at boot, right after loading the mods
-- (matron/src/main.c:125-136), so only a handler registered at mod load time sees a module plugged in before boot;
-- serial handlers also survive script reloads and a second add_handler with the same id asserts
-- (lua/core/serial.lua:70-73). Scripts use the small API below: `local piwip = require 'piwip-module/lib/mod'`.

local link = require 'piwip-module/lib/link'

local mod_api = {}
do
  local ok, mods = pcall(require, 'core/mods')
  if ok then mod_api = mods end
end

local piwip = {
  link = link,
  dev = nil,          -- matron's device pointer while a module is plugged in
  id = nil,
  name = nil,
  hello = nil,        -- the module's HELLO, once it answered
  rx = link.decoder(),
  seq = 0,
  queue = {},         -- encoded frames not yet written
  queued = 0,
  sent_bytes = 0,
  PIECE = 256,        -- bytes per serial.send: one short blocking write each (device_serial.c writes O_SYNC)
  BUDGET = 1024,      -- bytes written per send()/service() call; the rest waits for the next service()
  listeners = {},
  host_name = "norns",
}

--- the product strings we accept: the module's own ("piwip", udev ID_MODEL) and the virtual module's
function piwip.matches(attrs)
  local m = attrs.model or ""
  return m == "piwip" or m:match("^piwip[_%-]") ~= nil
end

function piwip.on(event, fn) piwip.listeners[event] = fn end

local function emit(event, ...)
  local fn = piwip.listeners[event]
  if fn then
    local ok, err = pcall(fn, ...)
    if not ok then print("piwip-module: " .. event .. " handler: " .. tostring(err)) end
  end
end

function piwip.connected() return piwip.dev ~= nil end

--- write queued bytes, at most `budget`, in PIECE-byte serial.send calls
function piwip.flush(budget)
  budget = budget or piwip.BUDGET
  if not piwip.dev then piwip.queue = {}; piwip.queued = 0; return end
  while budget > 0 and #piwip.queue > 0 do
    local f = piwip.queue[1]
    local n = math.min(#f, piwip.PIECE, budget)
    serial.send(piwip.dev, f:sub(1, n))
    piwip.sent_bytes = piwip.sent_bytes + n
    budget = budget - n
    piwip.queued = piwip.queued - n
    if n == #f then table.remove(piwip.queue, 1) else piwip.queue[1] = f:sub(n + 1) end
  end
end

--- send one message (type from link.T, payload from link.enc.*); never writes more than BUDGET bytes now
function piwip.send(type, payload)
  if not piwip.dev then return false end
  local f = link.encode(type, piwip.seq, payload)
  piwip.seq = (piwip.seq + 1) & 0xFF
  piwip.queue[#piwip.queue + 1] = f
  piwip.queued = piwip.queued + #f
  piwip.flush()
  return true
end

-- the small API scripts use
local T, E = link.T, link.enc
function piwip.key(n, z) return piwip.send(T.KEY, E.key(n, z)) end
function piwip.enc(n, d) return piwip.send(T.ENC, E.enc(n, d)) end
function piwip.midi(bytes) return piwip.send(T.MIDI, E.midi(bytes)) end
function piwip.mode(m) return piwip.send(T.MODE, E.mode(m)) end
function piwip.param_list() return piwip.send(T.PARAM_LIST, "") end
function piwip.param_get(i) return piwip.send(T.PARAM_GET, E.param_get(i)) end
function piwip.param_set(i, v) return piwip.send(T.PARAM_SET, E.param_set(i, v)) end
function piwip.screen(fps, full) return piwip.send(T.SCREEN, E.screen(fps, full)) end
function piwip.telemetry(hz) return piwip.send(T.TELEMETRY, E.telemetry(hz)) end
function piwip.ping(ms) return piwip.send(T.PING, E.ping(ms or 0)) end
function piwip.say_hello() return piwip.send(T.HELLO, E.hello(piwip.host_name)) end

--- call from the script's metro: writes what the budget held back
function piwip.service() piwip.flush() end

function piwip.counters()
  return { frames = piwip.rx.frames, corrupt = piwip.rx.corrupt, lost = piwip.rx.lost, sent = piwip.sent_bytes }
end

local M = link.M
local NAMES = {}
for k, v in pairs(M) do NAMES[v] = k:lower() end

local function frame(f)
  local d = link.dec[f.type]
  if not d then emit("unknown", f); return end
  local msg, err = d(f.payload)
  if not msg then piwip.rx.corrupt = piwip.rx.corrupt + 1; emit("bad", f, err); return end
  if f.type == M.HELLO then piwip.hello = msg end
  emit(NAMES[f.type], msg, f)
end

--- the handler (registered once, at load time)
piwip.handler = {
  id = "piwip-module",
  match = function(attrs) return piwip.matches(attrs) end,
  -- raw 8-bit: the tty default (canonical, echo, CR/LF mapping) would eat and mangle binary frames
  configure = function(term)
    term.iflag = 0
    term.oflag = 0
    term.lflag = 0
    term.cflag = serial.cflag.CS8 | serial.cflag.CREAD | serial.cflag.CLOCAL
    term.ispeed = serial.speed.B115200
    term.ospeed = serial.speed.B115200
    return term
  end,
  add = function(id, name, dev)
    piwip.dev, piwip.id, piwip.name = dev, id, name
    piwip.rx:reset()
    piwip.queue, piwip.queued, piwip.seq, piwip.hello = {}, 0, 0, nil
    piwip.say_hello()
    emit("add", name)
  end,
  remove = function(id)
    if id ~= piwip.id then return end
    piwip.dev, piwip.id, piwip.hello = nil, nil, nil
    piwip.queue, piwip.queued = {}, 0
    emit("remove")
  end,
  event = function(id, data)
    if id ~= piwip.id then return end
    for _, f in ipairs(piwip.rx:push(data)) do frame(f) end
  end,
}

if serial and not serial._handlers[piwip.handler.id] then serial.add_handler(piwip.handler) end

-- a reloaded script registers its listeners anew; the old script's must not run against a cleared paramset
if mod_api.hook then
  mod_api.hook.register("script_post_cleanup", "piwip-module", function() piwip.listeners = {} end)
end

return piwip
