-- The module's params as norns params, kept in step both ways.
-- The module's own list (PARAM_INFO: the engine's paramInfo JSON) decides types, ranges, options and formatting;
-- a norns-side change (PARAMS menu, PSET load, PMAP MIDI-learn, a script) goes to the module as PARAM_SET, and a
-- module-side change (its own menu, its MIDI, a preset) arrives as PARAM_VALUE and is set here silently, so it
-- never bounces back. norns PSET files therefore hold the module's params under their own ids.

local json = require 'piwip-module/lib/json'

local P = {}
P.__index = P

local NOTE_NAMES = { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" }

local function note_name(n)
  n = math.floor(n + 0.5)
  return NOTE_NAMES[n % 12 + 1] .. tostring(n // 12 - 2)
end

--- send(index, value) is called for norns-side changes.
function P.new(send)
  return setmetatable({ send = send, infos = {}, by_id = {}, count = 0, built = {}, applying = false }, P)
end

--- Take one PARAM_INFO; returns true when the whole list has arrived. A param already in the paramset takes the
--- listed value (silently): a re-read after lost frames puts norns back in step.
function P:info(pi, params)
  local t, err = json.decode(pi.json)
  if type(t) ~= "table" or type(t.id) ~= "string" then return false, err or "bad param info" end
  t.index = pi.index
  self.infos[pi.index] = t
  self.by_id[t.id] = t
  self.count = pi.count
  if params and self.built[t.id] and t.value ~= nil then self:set_silently(params, t, t.value) end
  for i = 0, pi.count - 1 do
    if not self.infos[i] then return false end
  end
  return true
end

--- The list as a Lua chunk, for the cache file that lets the params exist before the module is plugged in.
function P:serialize()
  local out = { "return {" }
  for i = 0, self.count - 1 do
    local t = self.infos[i]
    local opts = {}
    for _, o in ipairs(t.options or {}) do opts[#opts + 1] = string.format("%q", o) end
    out[#out + 1] = string.format(
      "{index=%d,id=%q,group=%q,type=%q,min=%.17g,max=%.17g,step=%.17g,default=%.17g,value=%.17g,k=%.17g,units=%q,note=%s,options={%s}},",
      t.index, t.id, t.group or "", t.type, t.min, t.max, t.step, t.default, t.value, t.k or 0, t.units or "",
      tostring(t.note == true), table.concat(opts, ","))
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n")
end

--- Load a list written by serialize(); returns true when it was usable.
function P:load(chunk)
  local f = load(chunk, "params cache", "t", {})
  if not f then return false end
  local ok, list = pcall(f)
  if not ok or type(list) ~= "table" or #list == 0 then return false end
  self.count = #list
  for i, t in ipairs(list) do
    t.index = i - 1
    self.infos[i - 1] = t
    self.by_id[t.id] = t
  end
  return true
end

function P:formatter(t)
  return function(param)
    local v = param:get()
    if t.formatted and t.value == v then return t.formatted end
    if t.note then return note_name(v) end
    local s = (math.type(v) == "integer" or v == math.floor(v)) and string.format("%d", v) or string.format("%.2f", v)
    return (t.units ~= "" and t.units) and (s .. " " .. t.units) or s
  end
end

--- Add every known module param not yet in the paramset, in groups as the module lists them.
function P:build(params, controlspec)
  local groups, order = {}, {}
  for i = 0, self.count - 1 do
    local t = self.infos[i]
    if t and not self.built[t.id] then
      local g = t.group ~= "" and t.group or "piwip"
      if not groups[g] then groups[g] = {}; order[#order + 1] = g end
      table.insert(groups[g], t)
    end
  end
  for _, g in ipairs(order) do
    local list = groups[g]
    params:add_group("piwip_" .. g, g, #list)
    for _, t in ipairs(list) do
      local action = function(v)
        if not self.applying then self.send(t.index, v) end
      end
      if t.type == "option" then
        params:add_option(t.id, t.id, t.options, math.floor(t.default))
      elseif t.type == "number" then
        params:add_number(t.id, t.id, math.floor(t.min), math.floor(t.max), math.floor(t.default), self:formatter(t))
      elseif t.type == "taper" then
        params:add_taper(t.id, t.id, t.min, t.max, t.default, t.k or 0, t.units)
      else
        local spec = controlspec.new(t.min, t.max, "lin", t.step, t.default, t.units)
        params:add_control(t.id, t.id, spec, self:formatter(t))
      end
      params:set_action(t.id, action)
      self.built[t.id] = true
      if t.value ~= nil then self:set_silently(params, t, t.value) end
    end
  end
  return #order > 0
end

function P:set_silently(params, t, v)
  if t.type == "number" or t.type == "option" then v = math.tointeger(v) or v end
  self.applying = true
  params:set(t.id, v, true)
  self.applying = false
end

--- A PARAM_VALUE from the module: remember its formatting and set the norns param without an action.
function P:value(params, pv)
  local t = self.infos[pv.index]
  if not t then return nil end
  t.value = pv.value
  t.formatted = pv.formatted
  if self.built[t.id] then self:set_silently(params, t, pv.value) end
  return t
end

P.note_name = note_name
return P
