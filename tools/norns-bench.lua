-- Cost of the norns side of the mirror in Lua 5.3 (norns' Lua), per screen frame: SLIP/CRC decode of the SCREEN
-- frame fed as 256-byte serial events, PackBits rows, the 4-bit → poke-bytes conversion, and the poke string.
-- Usage: lua5.3 tools/norns-bench.lua   (run from the repo root; a desktop is several times faster than norns' A53)
package.path = "norns/?.lua;" .. package.path
local link = require 'piwip-module/lib/link'
local Mirror = require 'piwip-module/lib/screen'

local function frame_of(rows)
  local p = { string.pack("<I4BB", 1, 1, 64) }
  for y = 0, 63 do p[#p + 1] = string.char(y) .. rows(y) end
  return link.encode(link.M.SCREEN, 0, table.concat(p))
end
-- worst case: every row 64 literal bytes of varied levels (header 63 + 64 bytes); typical: mostly black with a
-- waveform band (runs), as the play screen is
local worst = frame_of(function(y)
  local t = {}
  for i = 0, 63 do t[#t + 1] = string.char(((i * 7 + y * 3) % 254) + 1) end
  return "\63" .. table.concat(t)
end)
local typical = frame_of(function(y)
  if y < 16 or y > 48 then return string.char(257 - 64, 0) end
  return string.char(257 - 20, 0) .. "\11" .. string.rep("\68", 12) .. string.char(257 - 32, 0)
end)

local function bench(name, f, n)
  local d, m = link.decoder(), Mirror.new()
  local t0 = os.clock()
  for _ = 1, n do
    for i = 1, #f, 256 do
      for _, fr in ipairs(d:push(f:sub(i, i + 255))) do m:apply(link.dec[fr.type](fr.payload)) end
    end
    local px = m:pixels()
    assert(#px == 8192)
  end
  local ms = (os.clock() - t0) * 1000 / n
  assert(d.frames == n and d.corrupt == 0)
  print(string.format("%-8s frame %5d bytes on the wire: %.3f ms per frame in Lua (decode + CRC + rows + poke bytes); %.1f %% of a 30 fps budget",
    name, #f, ms, ms / (1000 / 30) * 100))
end

bench("worst", worst, 300)
bench("typical", typical, 300)
