// `--crow [PORT]` option parsing for piwip connect (host/crow/cli.ts).
import { it, expect } from 'vitest';
import { takeCrowOption } from '../host/crow/cli.ts';

it('takes --crow, --crow PATH, --crow=PATH out of argv', () => {
  expect(takeCrowOption(['--port', '/dev/ttyACM0'])).toEqual({ argv: ['--port', '/dev/ttyACM0'], crow: null });
  expect(takeCrowOption(['--crow', '--port', 'tcp:7070'])).toEqual({ argv: ['--port', 'tcp:7070'], crow: {} });
  expect(takeCrowOption(['--crow', '/dev/ttyACM1', '--port', 'x'])).toEqual({ argv: ['--port', 'x'], crow: { port: '/dev/ttyACM1' } });
  expect(takeCrowOption(['--crow=/tmp/crow'])).toEqual({ argv: [], crow: { port: '/tmp/crow' } });
  expect(takeCrowOption(['--crow', 'COM4'])).toEqual({ argv: [], crow: { port: 'COM4' } });
  expect(takeCrowOption(['--', '--crow'])).toEqual({ argv: ['--', '--crow'], crow: null });
  expect(() => takeCrowOption(['--crow='])).toThrow(/--crow= needs a port/);
});
