-- The norns double's main loop: lua5.3 run.lua <repo>/norns <data dir>
-- Reads one command per line from the test bridge (tests/norns/bridge.ts), answers "ok" (or "err <why>") after
-- the norns-side effects it caused ("tx <hex>" serial writes, "crow <text>" lines). The boot order copies
-- matron/src/main.c:125-136: mods are loaded, then devices present at boot are matched, then the script runs
-- (lua/core/script.lua: script_pre_init hook, the script file, init(), script_post_init hook).
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local code_dir, data_dir = arg[1], arg[2]
package.path = here .. "/?.lua;" .. code_dir .. "/?.lua;" .. package.path

local wire = require 'wire'
local S = require 'screen'
local SER = require 'serial'
local PS = require 'params'
local CL = require 'clock'
local DEV = require 'devices'
-- the doubles' state, for the test's `eval`
DOUBLE = { screen = S, serial = SER, clock = CL, devices = DEV }

-- the globals norns gives every script and mod
screen, serial, metro, clock, crow, midi = S.api, SER.api, CL.metro, CL.clock, DEV.crow, DEV.midi
controlspec = PS.controlspec
params = PS.new()
PS.state = { data = data_dir .. "/", shortname = "piwip-module" }
local menu_mode = false
norns = { version = {}, state = PS.state, script = {}, crow = { events = DEV.crow_events },
  menu = { status = function() return menu_mode end } }
_norns = {}
_menu = { rebuild_params = function() _menu.rebuilt = (_menu.rebuilt or 0) + 1 end }
util = {
  time = function() return CL.now end,
  clamp = function(v, lo, hi) return math.min(hi, math.max(lo, v)) end,
  round = function(v, q) q = q or 1; return math.floor(v / q + 0.5) * q end,
}
tab = { count = function(t) local n = 0; for _ in pairs(t) do n = n + 1 end; return n end }
package.loaded['core/mods'] = DEV.mods
print = function(...)
  local t = {}
  for i = 1, select("#", ...) do t[i] = tostring(select(i, ...)) end
  io.stderr:write(table.concat(t, "\t"), "\n")
end

local script = code_dir .. "/piwip-module/piwip-module.lua"
local script_env_keys = { "init", "redraw", "refresh", "key", "enc", "cleanup" }

local function script_load()
  DEV.run_hook("script_pre_init")
  dofile(script)
  -- Script.run refuses scripts needing a newer norns (lua/core/script.lua:223); this double is "250414"
  assert((norns.version.required or 0) <= 250414, "script needs a newer norns")
  init()
  DEV.run_hook("script_post_init")
end

-- lua/core/script.lua:11-30, 67-77, 108: cleanup(), the post-cleanup hook, metros and clocks freed, params cleared
local function script_clear()
  if cleanup then cleanup() end
  DEV.run_hook("script_post_cleanup")
  CL.metro.free_all()
  CL.clock.cleanup()
  params:clear()
  DEV.crow_reset_events()
  for _, k in ipairs(script_env_keys) do _G[k] = nil end
  for i = 1, 16 do DEV.midi.vports[i].event = nil end
end

-- time: everything due up to t, in order; refresh() at 60 Hz while not in the menu (matron/src/hardware/screen/ssd1322.c:106-125)
local next_refresh = 0
local function advance(t)
  while true do
    local when, run = CL.next_due(t)
    local r = next_refresh <= t + 1e-12 and next_refresh or nil
    if r and (not when or r <= when) then
      CL.now = r; S.now = r
      next_refresh = next_refresh + 1 / 60
      if refresh then refresh() end
    elseif when then
      CL.now = math.max(CL.now, when); S.now = CL.now
      run()
    else break end
  end
  CL.now = t; S.now = t
end

local function dump_screen() wire.out("screen", wire.hex(S.shown or screen.peek(0, 0, 128, 64))) end

local cmds = {}
function cmds.boot()
  require 'piwip-module/lib/mod'   -- mods load first (lua/core/mods.lua: require of */lib/mod.lua)
end
function cmds.plug(model) wire.out("matched", tostring(SER.plug(model))) end
function cmds.unplug() SER.unplug() end
function cmds.script() script_load() end
function cmds.reload() script_clear(); script_load() end
function cmds.serial(...)
  for _, h in ipairs({ ... }) do SER.event(wire.unhex(h)) end
end
function cmds.time(t) advance(tonumber(t)) end
function cmds.tempo(bpm) CL.tempo = tonumber(bpm) end
function cmds.transport(x) CL.transport(x == "start") end
function cmds.key(n, z)
  n, z = tonumber(n), tonumber(z)
  if menu_mode then return end
  if key then key(n, z) end
  screen.ping()
end
function cmds.enc(n, d)
  if menu_mode then return end
  if enc then enc(tonumber(n), tonumber(d)) end
  screen.ping()
end
-- a short K1 press toggles the menu (lua/core/menu.lua:128-153). Entering it replaces the globals redraw and
-- refresh with norns.none; leaving it restores the script's (kept in norns.script) and calls redraw()
-- (menu.lua:157-189), so a script calling redraw() from an event handler cannot paint over the menu.
local function none() end
function cmds.menu(x)
  local on = x == "1"
  if on == menu_mode then return end
  menu_mode = on
  if on then
    norns.script.redraw, norns.script.refresh = redraw, refresh
    redraw, refresh = none, none
    screen.clear(); screen.text("SELECT / SYSTEM / SLEEP"); screen.update()
  else
    redraw, refresh = norns.script.redraw, norns.script.refresh
    screen.clear(); screen.update()
    if redraw then redraw() end
  end
end
function cmds.redraw() if redraw then redraw() end end
function cmds.screen() dump_screen() end
function cmds.midi(n, h)
  local bytes = {}
  for b in wire.unhex(h):gmatch(".") do bytes[#bytes + 1] = b:byte() end
  DEV.midi_event(tonumber(n), bytes)
end
function cmds.midiname(n, name) DEV.midi.vports[tonumber(n)].name = name end
-- crow (re)connected: matron calls norns.crow.add (lua/core/crow.lua:9-19)
function cmds.crow_add() if norns.crow.add then norns.crow.add(1, "crow", {}) end end
function cmds.crow(...) DEV.crow_event(table.concat({ ... }, " ") .. "\n") end
-- the PARAMS menu: E3 on a param is params:delta (lua/core/menu/params.lua:124-130)
function cmds.delta(id, d) params:delta(id:gsub("%%20", " "), tonumber(d)) end
function cmds.set(id, v) params:set(id:gsub("%%20", " "), tonumber(v)) end
-- a MIDI CC on a PMAP'd param (lua/core/menu/params.lua:724-742): 0..127 scaled to the param's range; control and
-- taper params take it raw (0..1) through set_raw, numbers and options rounded through set
function cmds.pmap(id, cc)
  id = id:gsub("%%20", " ")
  local p = params:lookup_param(id)
  local v = tonumber(cc) / 127
  if p.t == PS.T.CONTROL or p.t == PS.T.TAPER then params:set_raw(id, v)
  else
    local lo, hi = p.min or 1, p.max or #p.options
    params:set(id, math.floor(lo + (hi - lo) * v + 0.5))
  end
end
function cmds.pset_write(n, name) params:write(tonumber(n), name) end
function cmds.pset_read(n) params:read(tonumber(n)) end
function cmds.eval(...)
  local f = assert(load("return " .. table.concat({ ... }, " ")))
  local r = { f() }
  for i = 1, #r do r[i] = tostring(r[i]) end
  wire.out("value", table.concat(r, "\t"))
end

io.stdout:setvbuf("full")
for line in io.lines() do
  local words = {}
  for w in line:gmatch("%S+") do words[#words + 1] = w end
  local c = cmds[words[1] or ""]
  if not c then wire.out("err", "unknown command " .. tostring(words[1]))
  else
    local ok, err = pcall(c, table.unpack(words, 2))
    if ok then wire.out("ok") else wire.out("err", (tostring(err):gsub("\n", " "))) end
  end
  io.stdout:flush()
end
