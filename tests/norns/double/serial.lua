-- norns serial double. Copies lua/core/serial.lua:
--  * serial.add_handler{id, match, configure, add, remove, event}: asserts "duplicate serial handler id" (:70-73)
--  * matching: the first handler whose match(attrs) is true wins, attrs = {vendor, model, serial, interface}
--    (:84-97, udev ID_VENDOR/ID_MODEL/ID_SERIAL_SHORT/ID_USB_INTERFACE_NUM per matron/src/device/device_monitor.c:280-283)
--  * configure(term) gets the port's termios (a ttyACM's default: canonical, echo, ICRNL...) and returns it
--    (matron/src/device/device_serial.c:40-150); event(id, data) gets what one read() returned, at most 256 bytes
--    (device_serial.c:175), split and merged anywhere; serial.send(dev, data) writes the bytes (:196-201)
local hexio = require 'wire'
local serial = { _handlers = {}, speed = {}, cflag = { CS8 = 0x30, CREAD = 0x80, CLOCAL = 0x800, CSIZE = 0x30 },
  iflag = { ICRNL = 0x100, IXON = 0x400 }, lflag = { ICANON = 2, ECHO = 8, ISIG = 1 }, oflag = { OPOST = 1 } }
serial.speed.B115200 = 0x1002
serial.speed.B9600 = 0xd

local D = { api = serial, dev = nil, handler = nil, term = nil, sent = 0, sends = 0, max_send = 0 }

function serial.add_handler(args)
  assert(serial._handlers[args.id] == nil, "duplicate serial handler id: " .. args.id)
  serial._handlers[args.id] = args
end

function serial.send(dev, data)
  assert(dev == D.dev and dev ~= nil, "serial.send on a device that is not plugged in")
  D.sent = D.sent + #data
  D.sends = D.sends + 1
  if #data > D.max_send then D.max_send = #data end
  hexio.out("tx", hexio.hex(data))
end

local next_id = 1
function D.plug(model, vendor)
  local attrs = setmetatable({}, { __index = { vendor = vendor or "Teensyduino", model = model, serial = "1234",
    interface = "00" }, __newindex = function() error("attrs are read-only") end })
  for id, h in pairs(serial._handlers) do
    if h.match(attrs) then
      -- a ttyACM's termios as Linux leaves it: canonical, echo, CR->NL, 9600
      local term = { iflag = serial.iflag.ICRNL | serial.iflag.IXON, oflag = serial.oflag.OPOST,
        lflag = serial.lflag.ICANON | serial.lflag.ECHO | serial.lflag.ISIG, cflag = serial.cflag.CS8 | serial.cflag.CREAD,
        ispeed = serial.speed.B9600, ospeed = serial.speed.B9600, cc = {} }
      D.term = h.configure(term)
      D.handler = id
      D.dev = { "dev" .. next_id } -- matron passes a light userdata; any unique value does here
      D.id = next_id
      next_id = next_id + 1
      h.add(D.id, model, D.dev)
      return id
    end
  end
  return nil
end

function D.unplug()
  if not D.handler then return end
  local h, id = serial._handlers[D.handler], D.id
  D.dev, D.handler, D.id = nil, nil, nil
  h.remove(id)
end

function D.event(data)
  assert(#data <= 256, "matron never delivers more than 256 bytes per event")
  if D.handler then serial._handlers[D.handler].event(D.id, data) end
end

return D
