// Whether a validation error reaches a target. Errors are counts over the test set as floats
// (1 − 9940/10000 is 0.006000000000000005, not 0.006), so "at or below 0.6%" compares with a
// margin far below one sample in any test set, or exactly 60 errors of 10,000 would miss 0.6%.
const MARGIN = 1e-9;

export function reachesTarget(error: number, target: number): boolean {
  return error <= target + MARGIN;
}
