-- The module's screen mirrored for norns: rows of the 4-bit framebuffer (even x in the high nibble, as the
-- engine keeps it) unpacked to norns' screen.poke format, one byte 0..15 per pixel (norns lua/core/screen.lua:445-459).
-- Pure: the script decides when to poke (only inside redraw/refresh, never over the system menu).

local mirror = {}
mirror.__index = mirror

-- 256-entry table: one packed byte -> two pixel bytes; string.gsub with a table looks each byte up in C.
local LUT = {}
for b = 0, 255 do LUT[string.char(b)] = string.char(b >> 4, b & 15) end
mirror.LUT = LUT

local BLANK = string.rep("\0", 64)

function mirror.new()
  local m = setmetatable({ rows = {}, px = {}, dirty = false, frames = 0, have = false }, mirror)
  m:clear()
  return m
end

function mirror:clear()
  for y = 0, 63 do
    self.rows[y] = BLANK
    self.px[y] = BLANK:gsub(".", LUT)
  end
  self.have = false
  self.dirty = true
end

--- Apply a decoded SCREEN update ({frame, full, rows = {{y, data}}}).
function mirror:apply(u)
  for _, r in ipairs(u.rows) do
    if self.rows[r.y] ~= r.data then
      self.rows[r.y] = r.data
      self.px[r.y] = r.data:gsub(".", LUT)
    end
  end
  self.frames = self.frames + 1
  if u.full then self.have = true end
  self.dirty = true
end

--- The whole frame as poke bytes: 128 * 64 bytes, row 0 first.
function mirror:pixels()
  local t = {}
  for y = 0, 63 do t[y + 1] = self.px[y] end
  return table.concat(t)
end

--- The packed framebuffer (4096 bytes), as the engine holds it.
function mirror:packed()
  local t = {}
  for y = 0, 63 do t[y + 1] = self.rows[y] end
  return table.concat(t)
end

--- Poke the mirror to the screen (call only from redraw/refresh).
function mirror:draw(screen)
  screen.poke(0, 0, 128, 64, self:pixels())
  self.dirty = false
end

return mirror
