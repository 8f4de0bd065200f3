-- norns clock + metro double, on simulated time that the test advances. Copies:
--  * clock.run(f, ...) makes a coroutine and resumes it at once; clock.sleep(s) / clock.sync(beats) yield
--    (SCHEDULE_SLEEP, s) / (SCHEDULE_SYNC, beats) to the scheduler; sync resumes on the next multiple of `beats`
--    of the clock's beat count (lua/core/clock.lua:24-57); clock.cancel (:35-39); clock.cleanup on script
--    unload cancels every coroutine and the transport callbacks (:85-97); clock.transport.start/stop are
--    script callbacks run when the clock starts/stops (:129-139, :198-208); get_beats/get_tempo (:114-124)
--  * metro.init(f, time, count) / m:start() / m:stop(), count -1 = forever, event(stage) with stage from 1
--    (lua/core/metro.lua:25-110, :165); metro.free_all() on script unload (lua/core/script.lua:74)
local C = { now = 0, tempo = 120, threads = {}, wake = {}, metros = {}, next_id = 1 }

local clock = { threads = C.threads, transport = {} }
local SLEEP, SYNC = 0, 1

function clock.get_beats() return C.now * C.tempo / 60 end
function clock.get_tempo() return C.tempo end
function clock.get_beat_sec() return 60 / C.tempo end

local function schedule(id, kind, x)
  if kind == SLEEP then C.wake[id] = C.now + x
  elseif kind == SYNC then
    local b = clock.get_beats()
    local target = (math.floor(b / x + 1e-9) + 1) * x
    C.wake[id] = target * 60 / C.tempo
  else C.wake[id] = nil end
end

local function resume(id, ...)
  local co = C.threads[id]
  if not co then return end
  local ok, kind, x = coroutine.resume(co, ...)
  if not ok then error("clock coroutine: " .. tostring(kind)) end
  if coroutine.status(co) == "dead" then C.threads[id] = nil; C.wake[id] = nil
  else schedule(id, kind, x) end
end

function clock.run(f, ...)
  local id = C.next_id
  C.next_id = C.next_id + 1
  C.threads[id] = coroutine.create(f)
  resume(id, ...)
  return id
end
function clock.sleep(s) return coroutine.yield(SLEEP, s) end
function clock.sync(b) return coroutine.yield(SYNC, b) end
function clock.cancel(id) C.threads[id] = nil; C.wake[id] = nil end
function clock.cleanup()
  for id in pairs(C.threads) do C.threads[id] = nil; C.wake[id] = nil end
  clock.transport.start, clock.transport.stop = nil, nil
end
function C.transport(start)
  local f = start and clock.transport.start or clock.transport.stop
  if f then f() end
end

local metro = {}
local Metro = {}
Metro.__index = Metro
function metro.init(f, time, count)
  local m = setmetatable({ event = f, time = time or 1, count = count or -1, running = false }, Metro)
  C.metros[#C.metros + 1] = m
  return m
end
function Metro:start(time, count)
  if time then self.time = time end
  if count then self.count = count end
  self.stage, self.running, self.due = 1, true, C.now + self.time
end
function Metro:stop() self.running = false end
function metro.free_all() for _, m in ipairs(C.metros) do m.running = false end; C.metros = {} end

--- the next thing due at or before t: its time and a function running it
function C.next_due(t)
  local best, run = nil, nil
  for id, w in pairs(C.wake) do
    if w <= t + 1e-12 and (not best or w < best) then best, run = w, function() resume(id) end end
  end
  for _, m in ipairs(C.metros) do
    if m.running and m.due <= t + 1e-12 and (not best or m.due < best) then
      best, run = m.due, function()
        local stage = m.stage
        m.stage = m.stage + 1
        m.due = m.due + m.time
        if m.count > 0 and stage >= m.count then m.running = false end
        m.event(stage)
      end
    end
  end
  return best, run
end

C.clock, C.metro = clock, metro
return C
