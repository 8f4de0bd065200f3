-- piwip module
-- the module's screen, keys,
-- params and clock on norns;
-- crow plays what it plays.
--
-- needs the piwip-module mod
-- (SYSTEM > MODS, then restart)
--
-- K2/K3, E1-E3: the module's
-- crow in 1: arm (K2) / force (K3)

norns.version.required = 250414 -- binary serial with zero bytes (norns 2.9.1)

local piwip = require 'piwip-module/lib/mod'
local link = require 'piwip-module/lib/link'
local Mirror = require 'piwip-module/lib/screen'
local Params = require 'piwip-module/lib/params'
local Crow = require 'piwip-module/lib/crow'

local mirror = Mirror.new()
local mparams
local cv
local message = nil     -- shown instead of the mirror (no module, unplugged, …)
local tick = 0
local last_lost, last_corrupt = 0, 0
local last_tele = nil
local clock_id = nil
local clock_started = false
local SCREEN_FPS = 30
local TELEMETRY_HZ = 25
local CACHE = nil

local function cache_path() return norns.state.data .. "module-params.lua" end

local function save_cache()
  local f = io.open(cache_path(), "w")
  if f then f:write(mparams:serialize()); f:close() end
end

local function load_cache()
  local f = io.open(cache_path(), "r")
  if not f then return false end
  local s = f:read("a")
  f:close()
  return mparams:load(s)
end

local function rebuild_menu()
  if _menu and _menu.rebuild_params then _menu.rebuild_params() end
end

-- ask the module for everything a fresh session needs
local function start_session()
  message = nil
  clock_started = false
  piwip.param_list()
  piwip.screen(SCREEN_FPS, true)
  piwip.telemetry(TELEMETRY_HZ)
  cv:setup()
end

local function press(n)
  piwip.key(n, 1)
  piwip.key(n, 0)
end

local function use_norns_clock() return params:get("piwip_clock") == 2 end

local function send_clock(b) if piwip.connected() and use_norns_clock() then piwip.midi(b) end end

-- 24 MIDI clock ticks per beat from norns' clock (internal, MIDI, Link or crow: whatever is selected).
-- START goes out on one of norns' beats, so the module's beat 0 is a norns beat.
local function clock_loop()
  while true do
    if piwip.connected() and use_norns_clock() and not clock_started then
      clock.sync(1)
      if piwip.connected() then piwip.midi({ 0xFA, 0xF8 }); clock_started = true end
    else
      clock.sync(1 / 24)
      if clock_started and piwip.connected() and use_norns_clock() then piwip.midi({ 0xF8 }) end
    end
  end
end

local function midi_in(data)
  -- notes, CC, bends from norns' MIDI devices; clock comes from norns' clock above, not twice
  if #data > 0 and data[1] < 0xF8 then piwip.midi(data) end
end

local function connect_midi()
  for i = 1, #midi.vports do
    local name = midi.vports[i].name or ""
    -- the module is a USB MIDI device too: don't feed its own output back to it
    if not name:lower():match("^piwip") then
      local m = midi.connect(i)
      m.event = midi_in
    end
  end
end

local function on_telemetry(t)
  local prev = last_tele
  last_tele = t
  cv:telemetry(t)
  -- module-side activity (its own keys, recording starting or stopping) keeps norns' screensaver away
  if prev and (prev.recording ~= t.recording or prev.armed ~= t.armed or prev.menu ~= t.menu or prev.takes ~= t.takes) then
    screen.ping()
  end
end

local function check_lost()
  local c = piwip.counters()
  if c.lost ~= last_lost or c.corrupt ~= last_corrupt then
    -- a frame went missing: the mirror or a param may be stale, ask for a whole screen and the param list again
    last_lost, last_corrupt = c.lost, c.corrupt
    piwip.screen(SCREEN_FPS, true)
    piwip.param_list()
  end
end

function init()
  mparams = Params.new(function(i, v) piwip.param_set(i, v) end)
  Crow.spec = function(lo, hi, default) return controlspec.new(lo, hi, "exp", 0, default, "s") end
  cv = Crow.new(crow, press)

  params:add_separator("piwip_sep", "piwip module")
  params:add_option("piwip_clock", "clock to module", { "module's own", "norns clock" }, 2)
  params:set_action("piwip_clock", function(x)
    if x == 2 and mparams.by_id["clock source"] then params:set("clock source", 2) end
  end)
  cv:add_params(params)
  -- the module's params exist before it answers (cached from the last session), so PSETs and PMAP find them
  if load_cache() then mparams:build(params, controlspec) end

  piwip.on("add", function()
    message = "piwip module connected"
    mirror:clear()
    redraw()
  end)
  piwip.on("remove", function()
    message = "piwip module unplugged"
    mirror:clear()
    last_tele = nil
    redraw()
  end)
  piwip.on("hello", function(h)
    if not h.engine_ok then message = "module engine failed" end
    start_session()
  end)
  piwip.on("param_info", function(pi)
    local whole = mparams:info(pi, params)
    if whole then
      if mparams:build(params, controlspec) then rebuild_menu() end
      save_cache()
      if use_norns_clock() then params:set("clock source", 2) end
    end
  end)
  piwip.on("param_value", function(pv)
    mparams:value(params, pv)
    screen.ping()
  end)
  piwip.on("screen", function(u)
    mirror:apply(u)
    check_lost()
  end)
  piwip.on("telemetry", function(t) check_lost(); on_telemetry(t) end)
  piwip.on("log", function(l) print("piwip module: " .. l.text) end)

  -- crow plugged in (again): norns resets crow's Lua on connection, so set the outputs and input up anew
  norns.crow.add = function() crow.reset(); cv:setup() end

  connect_midi()
  clock.transport.start = function() clock_started = false end -- restart on the next beat
  clock.transport.stop = function() send_clock({ 0xFC }); clock_started = false end
  clock_id = clock.run(clock_loop)

  -- 10 Hz: write what the send budget held back; PING every second keeps the screen/telemetry lease alive
  local m = metro.init(function()
    tick = tick + 1
    piwip.service()
    if tick % 10 == 0 and piwip.connected() then piwip.ping(math.floor(util.time() * 1000)) end
  end, 0.1, -1)
  m:start()

  if piwip.connected() then
    piwip.say_hello()
  else
    message = "plug in the piwip module"
  end
end

-- norns gives the script K1 only when held past 0.25 s (lua/core/menu.lua:21-50), as shift. The module would take
-- a K1 released soon after that as a short press and toggle its own menu (its params are in norns' menu already),
-- so K1's release is held back until the press is clearly long for the module too.
local K1_MIN_HOLD = 0.3
local k1_down_at = nil
function key(n, z)
  if n == 1 then
    if z == 1 then k1_down_at = util.time(); piwip.key(1, 1); return end
    local held = k1_down_at and (util.time() - k1_down_at) or K1_MIN_HOLD
    k1_down_at = nil
    if held >= K1_MIN_HOLD then piwip.key(1, 0)
    else clock.run(function() clock.sleep(K1_MIN_HOLD - held); piwip.key(1, 0) end) end
    return
  end
  piwip.key(n, z)
end

function enc(n, d) piwip.enc(n, d) end

-- norns calls redraw() after leaving the menu and refresh() ~60 times a second; in the menu both are replaced
-- (lua/core/menu.lua:157-189), so the mirror never paints over it.
function redraw()
  if message or not mirror.have then
    screen.clear()
    screen.level(15)
    screen.move(64, 32)
    screen.text_center(message or "waiting for the module")
    screen.update()
    return
  end
  mirror:draw(screen)
  screen.update()
end

function refresh()
  if mirror.dirty then redraw() end
end

function cleanup()
  if piwip.connected() then
    piwip.screen(0, false)
    piwip.telemetry(0)
  end
end
