describe("smoke", () => {
  it("adds", () => { expect<i32>(1 + 1).toBe(2); });
});
