// Screen exports (owned by the screen work); re-exported from index.ts.
export function screenPtr(): usize { return 0; }
export function screenFrame(): i32 { return 0; }
