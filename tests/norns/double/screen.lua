-- norns screen double. Copies:
--  * screen.poke(x, y, w, h, s): one byte 0..15 per pixel, 0-based x 0..127 / y 0..63, ignored when #s < w*h
--    (norns lua/core/screen.lua:459; matron/src/weaver.c:1189-1205), written straight into the surface
--    (matron/src/hardware/screen.c:568-588: bytes > 15 are not masked, so the double keeps them as given)
--  * the screensaver: after 900 s without ping(), screen.update() does nothing until ping()
--    (lua/core/screen.lua:11-46)
-- Drawing calls other than poke only record text (the script's messages) and clear the surface.
local S = { fb = {}, texts = {}, updates = 0, pokes = 0, bad_pokes = 0, last_ping = 0, now = 0,
  SAVER = 900, sleeping = false }

local function clear_fb() for i = 1, 128 * 64 do S.fb[i] = 0 end end
clear_fb()

local screen = {}
function screen.clear() clear_fb(); S.texts = {} end
function screen.level(_) end
function screen.move(_, _) end
function screen.text(s) S.texts[#S.texts + 1] = s end
screen.text_center = screen.text
screen.text_right = screen.text
function screen.rect() end
function screen.fill() end
function screen.stroke() end
function screen.font_face() end
function screen.font_size() end
function screen.aa() end
function screen.line_width() end
function screen.poke(x, y, w, h, s)
  assert(x and y and w and h and s, "screen.poke needs 5 arguments")
  if x < 0 or x > 127 or y < 0 or y > 63 or w <= 0 or h <= 0 or #s < w * h then S.bad_pokes = S.bad_pokes + 1; return end
  S.pokes = S.pokes + 1
  for r = 0, h - 1 do
    if y + r <= 63 then
      for c = 0, w - 1 do
        if x + c <= 127 then S.fb[(y + r) * 128 + x + c + 1] = s:byte(r * w + c + 1) end
      end
    end
  end
end
function screen.peek(x, y, w, h)
  local t = {}
  for r = 0, h - 1 do for c = 0, w - 1 do t[#t + 1] = string.char(S.fb[(y + r) * 128 + x + c + 1]) end end
  return table.concat(t)
end
function screen.update()
  if S.now - S.last_ping >= S.SAVER then S.sleeping = true; return end
  S.updates = S.updates + 1
  S.shown = screen.peek(0, 0, 128, 64)
  S.shown_texts = S.texts
end
function screen.ping() S.last_ping = S.now; S.sleeping = false; S.pings = (S.pings or 0) + 1 end

S.api = screen
return S
