// piwip's recording state machine (spec §3) with the recommended fixes: a real record-level fade (A1), no
// silence trimmed after a manual stop (A2), max(L, R) threshold (A3), loop end from 0 (A14), a new take cancels
// a pending stop (A15), and an automatic stop at the end of the buffer (A16).
import { State, VOICES } from "./state";
import { P_REC_THRESH, P_SILENCE, P_PINCH, P_KEEP_ARMED, P_ONLY_DURING_REC } from "./params";
import { killAll } from "./players";

function pinchFrames(s: State): i32 {
  return <i32>Math.round(s.params.get(P_PINCH) / 1000.0 * <f64>s.sampleRate);
}

/** rec_start (spec §3.3). */
export function recStart(s: State): void {
  for (let i = 0; i < VOICES; i++) {
    const v = unchecked(s.players[i]);
    v.voice.setPosition(s.startTrim);
    v.voice.setLevel(0);
    v.started = false;
  }
  s.recorder.start(pinchFrames(s));
  s.pitchMap.clear();
  s.ampCount = 0;
  s.startTrim = 0;
  s.endTrim = 0;
  s.recording = true;
  s.silenceTime = 0;
  s.loopEnd = 0;
  s.lastLoudFrame = 0;
  s.stopManual = false;
  s.takes++;
}

/** rec_stop (spec §3.4). `manual` = K3 or the buffer end: the fade's tail is kept, no silence is subtracted. */
export function recStop(s: State, manual: bool): void {
  if (!s.recording) return;
  s.recording = false;
  s.forceRecording = false;
  s.stopManual = manual;
  s.recorder.stop(pinchFrames(s));
  if (!s.params.yes(P_KEEP_ARMED)) s.armed = false;
  if (s.params.yes(P_ONLY_DURING_REC)) killAll(s);
  if (!s.recorder.active) finishStop(s);
}

/** The fade-out finished: fix the loop end (A1/A2). */
export function finishStop(s: State): void {
  s.recorder.finished = false;
  if (s.recording) return; // a new take already started
  let end = s.seconds(<f64>s.recorder.pos);
  if (!s.stopManual) {
    end -= s.params.get(P_SILENCE) / 1000.0;
    const lastLoud = s.seconds(<f64>s.lastLoudFrame);
    if (end < lastLoud) end = lastLoud;
  }
  if (end < 0) end = 0;
  s.loopEnd = end;
}

/** Stop before the write head would run off the buffer: the fade must finish inside it (A16). Checked at the
 *  exact sample (the engine ends a block at bufferStopSample), so the take's end does not depend on block sizes. */
export function guardBufferEnd(s: State): void {
  if (s.recording && s.recorder.pos + pinchFrames(s) + 1 >= s.bufFrames) recStop(s, true);
}

/** The sample at which guardBufferEnd will stop the take, or -1 (not recording). */
export function bufferStopSample(s: State): i64 {
  if (!s.recording) return -1;
  const room = <i64>s.bufFrames - <i64>s.recorder.pos - <i64>pinchFrames(s) - 1;
  return room > 0 ? s.samples + room : s.samples;
}

/** update_amp (spec §3.2), once per resolution. */
export function ampPoll(s: State): void {
  const l = s.ampL.value;
  const r = s.ampR.value;
  const val = l > r ? l : r;
  if (s.recording) {
    if (s.ampCount < s.amps.length) { unchecked(s.amps[s.ampCount] = val); s.ampCount++; }
  }
  if (<f64>val > s.params.get(P_REC_THRESH) / 1000.0) {
    s.silenceTime = 0;
    if (s.recording) s.lastLoudFrame = s.recorder.pos;
    if (!s.recording && s.armed) {
      recStart(s);
      s.lastLoudFrame = 0;
    }
  } else if (s.recording && !s.forceRecording) {
    s.silenceTime += s.resolution();
    if (s.silenceTime > s.params.get(P_SILENCE) / 1000.0) recStop(s, false);
  }
}

/** update_freq (spec §5.1-5.2): accept 30 < f < 1000 Hz into the slot of the reported write position. */
export function freqPoll(s: State, hz: f32): void {
  if (!s.recording || !(hz > 30 && hz < 1000)) return;
  const res = s.resolution();
  const pos = s.quantize(s.seconds(<f64>s.recorder.pos));
  const slot = Math.ceil(pos / res - 1e-9) * res; // round_to_nearest is a ceiling (spec §5.2)
  s.pitchMap.add(Math.round(slot * 1e6) / 1e6, hz);
}

/** update_positions for voice 1: while recording, the loop end is the reported write position. */
export function followWriteHead(s: State): void {
  if (s.recording) s.loopEnd = s.quantize(s.seconds(<f64>s.recorder.pos));
}

