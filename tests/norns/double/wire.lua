-- The double's side of the test bridge: one line per event out to Node (stdout), hex for bytes.
-- Not a norns part: it is how the test sees what norns would do (serial writes, crow text, screen).
local io_ = {}

function io_.hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
function io_.unhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
function io_.out(...) io.stdout:write(table.concat({ ... }, " "), "\n") end

return io_
