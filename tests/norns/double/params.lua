-- norns paramset double: the param types' value semantics and the PSET file format. Copies:
--  * option: set(v) clamps floor(v) to 1..count and runs the action only when the value changed; delta rounds away
--    from zero (lua/core/params/option.lua, Option:set / Option:delta)
--  * number: clamp to min..max, action only on change; string() uses the formatter (params/number.lua)
--  * control: raw 0..1 through a controlspec (lin/exp), value rounded to step, delta = d * quantum (default 0.01)
--    (params/control.lua Control:set/set_raw/delta; lua/core/controlspec.lua ControlSpec.new/map/unmap)
--  * taper: raw 0..1, curve k, delta = d / clamp(range, 200, 800) (params/taper.lua)
--  * set(id, v, silent): silent = no action; the PSET file dust/data/<script>/<script>-NN.pset, an optional
--    "-- name" line, then one `"id": value` line per saved param (lua/core/paramset.lua:498-523);
--    read() sets each known id once, numbers via set(tonumber(v)), actions run unless silent (:527-575)
--  * add_group(id, name, n) counts the next n params; groups do not nest (:306-316)
local P = {}

local function clamp(v, lo, hi) return math.min(hi, math.max(lo, v)) end
local function round(v, q)
  q = q or 1
  if q == 0 then return v end
  return math.floor(v / q + 0.5) * q
end

local controlspec = {}
controlspec.__index = controlspec
function controlspec.new(min, max, warp, step, default, units, quantum, wrap)
  return setmetatable({ minval = min or 0, maxval = max or 1, warp = warp or "lin", step = step or 0,
    default = default or min, units = units or "", quantum = quantum or 0.01, wrap = wrap or false }, controlspec)
end
function controlspec:map(x)
  x = clamp(x, 0, 1)
  local v
  if self.warp == "exp" then v = self.minval * math.exp(math.log(self.maxval / self.minval) * x)
  else v = self.minval + (self.maxval - self.minval) * x end
  return round(v, self.step)
end
function controlspec:unmap(v)
  v = clamp(v, math.min(self.minval, self.maxval), math.max(self.minval, self.maxval))
  if self.warp == "exp" then return math.log(v / self.minval) / math.log(self.maxval / self.minval) end
  return (v - self.minval) / (self.maxval - self.minval)
end
P.controlspec = controlspec

local T = { SEPARATOR = 0, NUMBER = 1, OPTION = 2, CONTROL = 3, TAPER = 5, GROUP = 7 }

local Param = {}
Param.__index = Param

local function new_param(t, id, name, fields)
  local p = setmetatable(fields or {}, Param)
  p.t, p.id, p.name, p.action, p.save = t, id, name, function() end, true
  return p
end

function Param:get()
  if self.t == T.OPTION then return self.selected end
  if self.t == T.NUMBER then return self.value end
  if self.t == T.CONTROL then return self.spec:map(self.raw) end
  if self.t == T.TAPER then
    local r = self.raw
    if self.k ~= 0 then r = (math.exp(r * self.k) - 1) / (math.exp(self.k) - 1) end
    return self.min + (self.max - self.min) * r
  end
end

function Param:get_raw() return self.raw end

function Param:set_raw(r, silent)
  r = clamp(r, 0, 1)
  if self.raw ~= r then
    self.raw = r
    if not silent then self:bang() end
  end
end

function Param:set(v, silent)
  if self.t == T.OPTION then
    local c = clamp(math.floor(v), 1, #self.options)
    if self.selected ~= c then self.selected = c; if not silent then self:bang() end end
  elseif self.t == T.NUMBER then
    local c = clamp(v, self.min, self.max)
    if self.value ~= c then self.value = c; if not silent then self:bang() end end
  elseif self.t == T.CONTROL then
    self:set_raw(self.spec:unmap(round(v, self.spec.step)), silent)
  elseif self.t == T.TAPER then
    local r = (v - self.min) / (self.max - self.min)
    if self.k ~= 0 then r = math.log(r * (math.exp(self.k) - 1) + 1) / self.k end
    self:set_raw(r, silent)
  end
end

function Param:delta(d)
  if self.t == T.OPTION then
    d = d < 0 and math.floor(d) or math.ceil(d)
    self:set(self:get() + d)
  elseif self.t == T.NUMBER then self:set(self:get() + d)
  elseif self.t == T.CONTROL then self:set_raw(self.raw + d * self.spec.quantum)
  elseif self.t == T.TAPER then self:set_raw(self.raw + d / math.min(math.max(math.abs(self.max - self.min), 200), 800))
  end
end

function Param:bang() if self.t ~= T.SEPARATOR and self.t ~= T.GROUP then self.action(self:get()) end end

function Param:string()
  if self.t == T.OPTION then return self.options[self.selected] end
  if self.formatter then return self.formatter(self) end
  local v = self:get()
  if self.t == T.CONTROL then return string.format("%.2f %s", v, self.spec.units) end
  if self.t == T.TAPER then return string.format("%.2f %s", v, self.units) end
  return tostring(v)
end

local ParamSet = {}
ParamSet.__index = ParamSet

function P.new() return setmetatable({ params = {}, lookup = {}, count = 0, group = 0, name = nil }, ParamSet) end

function ParamSet:clear()
  self.params, self.lookup, self.count, self.group = {}, {}, 0, 0
end

function ParamSet:add_param(p)
  if self.lookup[p.id] and p.t ~= T.SEPARATOR and p.t ~= T.GROUP then
    error("parameter ID collision: " .. p.id)
  end
  table.insert(self.params, p)
  self.count = self.count + 1
  self.group = self.group - 1
  self.lookup[p.id] = self.count
end

function ParamSet:add_separator(id, name) self:add_param(new_param(T.SEPARATOR, id, name or id)) end
function ParamSet:add_group(id, name, n)
  assert(self.group < 1, "paramset cannot nest GROUPs")
  self:add_param(new_param(T.GROUP, id, name, { n = n }))
  self.group = n
end
function ParamSet:add_option(id, name, options, default)
  self:add_param(new_param(T.OPTION, id, name, { options = options, selected = default or 1, default = default or 1 }))
end
function ParamSet:add_number(id, name, min, max, default, formatter)
  self:add_param(new_param(T.NUMBER, id, name, { min = min, max = max, value = default or 0, formatter = formatter }))
end
function ParamSet:add_control(id, name, spec, formatter)
  spec = spec or controlspec.new(0, 1, "lin", 0, 0, "")
  self:add_param(new_param(T.CONTROL, id, name, { spec = spec, raw = spec:unmap(spec.default or spec.minval),
    formatter = formatter }))
end
function ParamSet:add_taper(id, name, min, max, default, k, units)
  local p = new_param(T.TAPER, id, name, { min = min or 0, max = max or 1, k = k or 0, units = units or "", raw = 0 })
  p:set(default or min, true)
  self:add_param(p)
end

function ParamSet:lookup_param(i)
  local n = type(i) == "string" and self.lookup[i] or i
  local p = self.params[n]
  if not p then error("invalid paramset index: " .. tostring(i)) end
  return p
end
function ParamSet:set(i, v, silent) self:lookup_param(i):set(v, silent) end
function ParamSet:get(i) return self:lookup_param(i):get() end
function ParamSet:get_raw(i) return self:lookup_param(i):get_raw() end
function ParamSet:set_raw(i, v, silent) self:lookup_param(i):set_raw(v, silent) end
function ParamSet:delta(i, d) self:lookup_param(i):delta(d) end
function ParamSet:string(i) return self:lookup_param(i):string() end
function ParamSet:set_action(i, f) self:lookup_param(i).action = f end
function ParamSet:bang() for _, p in ipairs(self.params) do p:bang() end end

local function quote(s) return '"' .. s:gsub('"', '\\"') .. '"' end
local function unquote(s) return (s:gsub('^"', ''):gsub('"$', ''):gsub('\\"', '"')) end

function ParamSet:pset_path(n) return P.state.data .. P.state.shortname .. string.format("-%02d.pset", n) end

function ParamSet:write(n, name)
  local fd = assert(io.open(self:pset_path(n), "w+"))
  if name then fd:write("-- " .. name .. "\n") end
  for _, p in ipairs(self.params) do
    if p.id and p.save and p.t ~= T.SEPARATOR and p.t ~= T.GROUP then
      fd:write(string.format("%s: %s\n", quote(p.id), p:get()))
    end
  end
  fd:close()
end

function ParamSet:read(n, silent)
  local path = self:pset_path(n)
  local fd = io.open(path, "r")
  if not fd then return false end
  fd:close()
  local done = {}
  for line in io.lines(path) do
    if line:sub(1, 2) == "--" then self.name = line:sub(4)
    else
      local id, value = line:match('(".-")%s*:%s*(.*)')
      if id then
        local i = self.lookup[unquote(id)]
        if i and not done[i] and tonumber(value) then
          self.params[i]:set(tonumber(value), silent)
          done[i] = true
        end
      end
    end
  end
  return true
end

P.T = T
return P
