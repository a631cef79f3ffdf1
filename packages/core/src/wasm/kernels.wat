;; Float32 vector kernels of the coordinator's centre updates, in WebAssembly SIMD. The source of
;; kernels.generated.ts (npm run gen:wasm -w @deeprelax/core; a test fails when it is stale).
;;
;; Every kernel does, element by element, exactly the arithmetic of its TypeScript twin
;; (services/coordinator/src/centre.ts, core's meanOf and localEntropyCentreStep): float32 inputs
;; promoted to double, double operations in the same order, one rounding to float32 where the
;; TypeScript stores into a Float32Array or calls Math.fround. So results are bit-identical (tested
;; on random data with NaN, infinities, subnormals and odd lengths). Four elements per iteration
;; (two f64x2 halves of an f32x4), then a scalar tail.
;;
;; Pointers are byte offsets into the imported memory; n counts float32 elements. Lists of vectors
;; (mean, desgd) are passed as `ptrs`, the byte offset of k i32 byte offsets. Kernels that write
;; results return 1 when every result written is finite, 0 otherwise (the callers then discard
;; them), so no second pass checks them. Inputs and outputs may alias only where the TypeScript
;; allows it (mean: out may be one of the inputs; each block reads all inputs before it writes).
(module
  (memory (import "env" "memory") 1)

  (func $finite1 (param $v f32) (result i32)
    (f32.lt (f32.abs (local.get $v)) (f32.const inf)))

  ;; 1 when the n float32 values at p are all finite.
  (func (export "all_finite") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $ok v128)
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $ok (v128.and (local.get $ok)
          (f32x4.lt (f32x4.abs (v128.load align=4 (local.get $p))) (v128.const f32x4 inf inf inf inf))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l)))
    (if (i32.eqz (i32x4.all_true (local.get $ok))) (then (return (i32.const 0))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eqz (call $finite1 (f32.load (local.get $p)))) (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l)))
    (i32.const 1))

  ;; Asynchronous EASGD: d = f32(alpha (r - c)), x = f32(c + d).
  (func (export "easgd_async")
    (param $c i32) (param $r i32) (param $d i32) (param $x i32) (param $n i32) (param $alpha f64) (result i32)
    (local $i i32) (local $end i32) (local $a v128) (local $ok v128)
    (local $c4 v128) (local $r4 v128) (local $cl v128) (local $ch v128) (local $d4 v128) (local $x4 v128)
    (local $cs f64) (local $ds f32) (local $xs f32) (local $oks i32)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $oks (i32.const 1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c4 (v128.load align=4 (i32.add (local.get $c) (local.get $i))))
        (local.set $r4 (v128.load align=4 (i32.add (local.get $r) (local.get $i))))
        (local.set $cl (f64x2.promote_low_f32x4 (local.get $c4)))
        (local.set $ch (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c4) (local.get $c4))))
        (local.set $d4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $a) (f64x2.sub (f64x2.promote_low_f32x4 (local.get $r4)) (local.get $cl))))
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $a) (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $r4) (local.get $r4))) (local.get $ch))))))
        (local.set $x4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (local.get $cl) (f64x2.promote_low_f32x4 (local.get $d4))))
          (f32x4.demote_f64x2_zero (f64x2.add (local.get $ch) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d4) (local.get $d4)))))))
        (v128.store align=4 (i32.add (local.get $d) (local.get $i)) (local.get $d4))
        (v128.store align=4 (i32.add (local.get $x) (local.get $i)) (local.get $x4))
        (local.set $ok (v128.and (local.get $ok) (v128.and
          (f32x4.lt (f32x4.abs (local.get $d4)) (v128.const f32x4 inf inf inf inf))
          (f32x4.lt (f32x4.abs (local.get $x4)) (v128.const f32x4 inf inf inf inf)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $cs (f64.promote_f32 (f32.load (i32.add (local.get $c) (local.get $i)))))
        (local.set $ds (f32.demote_f64 (f64.mul (local.get $alpha)
          (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $r) (local.get $i)))) (local.get $cs)))))
        (local.set $xs (f32.demote_f64 (f64.add (local.get $cs) (f64.promote_f32 (local.get $ds)))))
        (f32.store (i32.add (local.get $d) (local.get $i)) (local.get $ds))
        (f32.store (i32.add (local.get $x) (local.get $i)) (local.get $xs))
        (local.set $oks (i32.and (local.get $oks)
          (i32.and (call $finite1 (local.get $ds)) (call $finite1 (local.get $xs)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (i32.and (local.get $oks) (i32x4.all_true (local.get $ok))))

  ;; One replica of a synchronous EASGD round: out = f32(src + f32(alpha (r - c))), with src = c
  ;; for the round's first replica and src = out for the next ones.
  (func (export "easgd_sync_step")
    (param $c i32) (param $r i32) (param $src i32) (param $out i32) (param $n i32) (param $alpha f64) (result i32)
    (local $i i32) (local $end i32) (local $a v128) (local $ok v128)
    (local $c4 v128) (local $r4 v128) (local $s4 v128) (local $d4 v128) (local $x4 v128)
    (local $cs f64) (local $xs f32) (local $oks i32)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $oks (i32.const 1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c4 (v128.load align=4 (i32.add (local.get $c) (local.get $i))))
        (local.set $r4 (v128.load align=4 (i32.add (local.get $r) (local.get $i))))
        (local.set $s4 (v128.load align=4 (i32.add (local.get $src) (local.get $i))))
        (local.set $d4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $a)
            (f64x2.sub (f64x2.promote_low_f32x4 (local.get $r4)) (f64x2.promote_low_f32x4 (local.get $c4)))))
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $a) (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $r4) (local.get $r4))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c4) (local.get $c4))))))))
        (local.set $x4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $s4)) (f64x2.promote_low_f32x4 (local.get $d4))))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s4) (local.get $s4))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d4) (local.get $d4)))))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $i)) (local.get $x4))
        (local.set $ok (v128.and (local.get $ok)
          (f32x4.lt (f32x4.abs (local.get $x4)) (v128.const f32x4 inf inf inf inf))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $cs (f64.promote_f32 (f32.load (i32.add (local.get $c) (local.get $i)))))
        (local.set $xs (f32.demote_f64 (f64.add
          (f64.promote_f32 (f32.load (i32.add (local.get $src) (local.get $i))))
          (f64.promote_f32 (f32.demote_f64 (f64.mul (local.get $alpha)
            (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $r) (local.get $i)))) (local.get $cs))))))))
        (f32.store (i32.add (local.get $out) (local.get $i)) (local.get $xs))
        (local.set $oks (i32.and (local.get $oks) (call $finite1 (local.get $xs))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (i32.and (local.get $oks) (i32x4.all_true (local.get $ok))))

  ;; The sum of k vectors' elements at byte offset i, in double, in list order starting from 0
  ;; (core's meanOf and localEntropyCentreStep both add 0 + v_1 + v_2 + ...). The vector form of
  ;; it is written out in mean and desgd: V8 does not inline calls between WebAssembly functions.
  (func $sum1 (param $ptrs i32) (param $k i32) (param $i i32) (result f64)
    (local $j i32) (local $s f64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load
          (i32.add (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $j) (i32.const 2)))) (local.get $i))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; Parle's reductions (core's meanOf): out = f32((0 + v_1 + ... + v_k) * (1 / k)).
  (func (export "mean") (param $ptrs i32) (param $k i32) (param $out i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $inv f64) (local $inv2 v128) (local $x4 v128) (local $ok v128)
    (local $xs f32) (local $oks i32)
    (local $j i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local.set $inv (f64.div (f64.const 1) (f64.convert_i32_u (local.get $k))))
    (local.set $inv2 (f64x2.splat (local.get $inv)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $oks (i32.const 1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $lo (f64x2.splat (f64.const 0)))
        (local.set $hi (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $summed
          (loop $sum
            (br_if $summed (i32.ge_u (local.get $j) (local.get $k)))
            (local.set $v (v128.load align=4
              (i32.add (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $j) (i32.const 2)))) (local.get $i))))
            (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.set $hi (f64x2.add (local.get $hi)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $sum)))
        (local.set $x4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $lo) (local.get $inv2)))
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $hi) (local.get $inv2)))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $i)) (local.get $x4))
        (local.set $ok (v128.and (local.get $ok)
          (f32x4.lt (f32x4.abs (local.get $x4)) (v128.const f32x4 inf inf inf inf))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $xs (f32.demote_f64 (f64.mul (call $sum1 (local.get $ptrs) (local.get $k) (local.get $i)) (local.get $inv))))
        (f32.store (i32.add (local.get $out) (local.get $i)) (local.get $xs))
        (local.set $oks (i32.and (local.get $oks) (call $finite1 (local.get $xs))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (i32.and (local.get $oks) (i32x4.all_true (local.get $ok))))

  ;; Distributed ESGD's centre step (core's localEntropyCentreStep on a copy of x):
  ;; out = f32(x - s (x - (0 + mu_1 + ... + mu_k) / k)).
  (func (export "desgd") (param $x i32) (param $ptrs i32) (param $k i32) (param $out i32) (param $n i32) (param $s f64) (result i32)
    (local $i i32) (local $end i32) (local $p f64) (local $p2 v128) (local $s2 v128) (local $ok v128)
    (local $x4 v128) (local $xl v128) (local $xh v128) (local $o4 v128) (local $xs f64) (local $os f32) (local $oks i32)
    (local $j i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local.set $p (f64.convert_i32_u (local.get $k)))
    (local.set $p2 (f64x2.splat (local.get $p)))
    (local.set $s2 (f64x2.splat (local.get $s)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $oks (i32.const 1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $lo (f64x2.splat (f64.const 0)))
        (local.set $hi (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $summed
          (loop $sum
            (br_if $summed (i32.ge_u (local.get $j) (local.get $k)))
            (local.set $v (v128.load align=4
              (i32.add (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $j) (i32.const 2)))) (local.get $i))))
            (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.set $hi (f64x2.add (local.get $hi)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $sum)))
        (local.set $x4 (v128.load align=4 (i32.add (local.get $x) (local.get $i))))
        (local.set $xl (f64x2.promote_low_f32x4 (local.get $x4)))
        (local.set $xh (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x4) (local.get $x4))))
        (local.set $o4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.sub (local.get $xl) (f64x2.mul (local.get $s2)
            (f64x2.sub (local.get $xl) (f64x2.div (local.get $lo) (local.get $p2))))))
          (f32x4.demote_f64x2_zero (f64x2.sub (local.get $xh) (f64x2.mul (local.get $s2)
            (f64x2.sub (local.get $xh) (f64x2.div (local.get $hi) (local.get $p2))))))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $i)) (local.get $o4))
        (local.set $ok (v128.and (local.get $ok)
          (f32x4.lt (f32x4.abs (local.get $o4)) (v128.const f32x4 inf inf inf inf))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $xs (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $os (f32.demote_f64 (f64.sub (local.get $xs) (f64.mul (local.get $s)
          (f64.sub (local.get $xs) (f64.div (call $sum1 (local.get $ptrs) (local.get $k) (local.get $i)) (local.get $p)))))))
        (f32.store (i32.add (local.get $out) (local.get $i)) (local.get $os))
        (local.set $oks (i32.and (local.get $oks) (call $finite1 (local.get $os))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (i32.and (local.get $oks) (i32x4.all_true (local.get $ok))))

  ;; float32 -> IEEE binary16 bits, round to nearest even (rpc's float32BitsToFloat16Bits, bit for
  ;; bit): n float32 at src, n halves at dst. $half4 is written out twice in f16_encode's loop (and
  ;; $float4 in f16_decode's; the tails call them), since V8 does not inline calls between
  ;; WebAssembly functions: the calls cost 4 ms per 1.87M values. Eight per iteration: each of three candidates is
  ;; computed for every lane and the lane's class picks one. Normal halves: rebias and round with
  ;; one add; subnormal halves and zeros: the float add x + 0.5 rounds to nearest even at the half
  ;; subnormal unit (2^-24), whose bits less 0.5's are the half; overflow: infinity; NaN: a quiet
  ;; NaN keeping the top payload bits.
  (func $half4 (param $x v128) (result v128)
    (local $a v128) (local $r v128)
    (local.set $a (v128.and (local.get $x) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
    ;; normal: (a - 0x37fff001 + ((a >> 13) & 1)) >> 13
    (local.set $r (i32x4.shr_u
      (i32x4.add
        (i32x4.sub (local.get $a) (v128.const i32x4 0x37fff001 0x37fff001 0x37fff001 0x37fff001))
        (v128.and (i32x4.shr_u (local.get $a) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
      (i32.const 13)))
    ;; below 2^-14: subnormal or zero
    (local.set $r (v128.bitselect
      (i32x4.sub
        (f32x4.add (local.get $a) (v128.const f32x4 0.5 0.5 0.5 0.5))
        (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000))
      (local.get $r)
      (i32x4.lt_s (local.get $a) (v128.const i32x4 0x38800000 0x38800000 0x38800000 0x38800000))))
    ;; 65520 and above (infinity included): infinity
    (local.set $r (v128.bitselect
      (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)
      (local.get $r)
      (i32x4.ge_s (local.get $a) (v128.const i32x4 0x477ff000 0x477ff000 0x477ff000 0x477ff000))))
    ;; NaN: 0x7e00 | top payload bits
    (local.set $r (v128.bitselect
      (v128.or (v128.const i32x4 0x7e00 0x7e00 0x7e00 0x7e00)
        (i32x4.shr_u (v128.and (local.get $a) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (i32.const 13)))
      (local.get $r)
      (i32x4.gt_s (local.get $a) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
    (v128.or (local.get $r)
      (v128.and (i32x4.shr_u (local.get $x) (i32.const 16)) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000))))

  (func (export "f16_encode") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $lo v128) (local $hi v128)
    (local $x0 v128) (local $a0 v128) (local $r0 v128) (local $x1 v128) (local $a1 v128) (local $r1 v128)
    ;; Whole blocks of 8, then the rest one lane at a time through $half4.
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $x0 (v128.load align=4 (local.get $src)))
        (local.set $a0 (v128.and (local.get $x0) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
        (local.set $r0 (i32x4.shr_u
          (i32x4.add
            (i32x4.sub (local.get $a0) (v128.const i32x4 0x37fff001 0x37fff001 0x37fff001 0x37fff001))
            (v128.and (i32x4.shr_u (local.get $a0) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
          (i32.const 13)))
        (local.set $r0 (v128.bitselect
          (i32x4.sub
            (f32x4.add (local.get $a0) (v128.const f32x4 0.5 0.5 0.5 0.5))
            (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000))
          (local.get $r0)
          (i32x4.lt_s (local.get $a0) (v128.const i32x4 0x38800000 0x38800000 0x38800000 0x38800000))))
        (local.set $r0 (v128.bitselect
          (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)
          (local.get $r0)
          (i32x4.ge_s (local.get $a0) (v128.const i32x4 0x477ff000 0x477ff000 0x477ff000 0x477ff000))))
        (local.set $r0 (v128.bitselect
          (v128.or (v128.const i32x4 0x7e00 0x7e00 0x7e00 0x7e00)
            (i32x4.shr_u (v128.and (local.get $a0) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (i32.const 13)))
          (local.get $r0)
          (i32x4.gt_s (local.get $a0) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
        (local.set $lo (v128.or (local.get $r0)
          (v128.and (i32x4.shr_u (local.get $x0) (i32.const 16)) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000))))
        (local.set $x1 (v128.load offset=16 align=4 (local.get $src)))
        (local.set $a1 (v128.and (local.get $x1) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
        (local.set $r1 (i32x4.shr_u
          (i32x4.add
            (i32x4.sub (local.get $a1) (v128.const i32x4 0x37fff001 0x37fff001 0x37fff001 0x37fff001))
            (v128.and (i32x4.shr_u (local.get $a1) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
          (i32.const 13)))
        (local.set $r1 (v128.bitselect
          (i32x4.sub
            (f32x4.add (local.get $a1) (v128.const f32x4 0.5 0.5 0.5 0.5))
            (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000))
          (local.get $r1)
          (i32x4.lt_s (local.get $a1) (v128.const i32x4 0x38800000 0x38800000 0x38800000 0x38800000))))
        (local.set $r1 (v128.bitselect
          (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)
          (local.get $r1)
          (i32x4.ge_s (local.get $a1) (v128.const i32x4 0x477ff000 0x477ff000 0x477ff000 0x477ff000))))
        (local.set $r1 (v128.bitselect
          (v128.or (v128.const i32x4 0x7e00 0x7e00 0x7e00 0x7e00)
            (i32x4.shr_u (v128.and (local.get $a1) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (i32.const 13)))
          (local.get $r1)
          (i32x4.gt_s (local.get $a1) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
        (local.set $hi (v128.or (local.get $r1)
          (v128.and (i32x4.shr_u (local.get $x1) (i32.const 16)) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000))))
        (v128.store align=2 (local.get $dst) (i16x8.narrow_i32x4_u (local.get $lo) (local.get $hi)))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (i32.store16 (local.get $dst)
          (i32x4.extract_lane 0 (call $half4 (i32x4.splat (i32.load (local.get $src))))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 2)))
        (br $l))))

  ;; binary16 bits -> float32 (exact; rpc's decode, bit for bit): normal halves by rebiasing the
  ;; exponent; zeros and subnormals as mant * 2^-24 with the sign; infinities; every NaN as the
  ;; quiet NaN 0x7fc00000 (what a JavaScript NaN stored into a Float32Array is).
  (func $float4 (param $h v128) (result v128)
    (local $e v128) (local $sign v128) (local $r v128)
    (local.set $e (v128.and (local.get $h) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))
    (local.set $sign (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
    (local.set $r (v128.or (local.get $sign)
      (i32x4.shl (i32x4.add (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                            (v128.const i32x4 0x1c000 0x1c000 0x1c000 0x1c000)) (i32.const 13))))
    (local.set $r (v128.bitselect
      (v128.or (local.get $sign)
        (f32x4.mul (f32x4.convert_i32x4_u (v128.and (local.get $h) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)))
                   (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24)))
      (local.get $r)
      (i32x4.eq (local.get $e) (v128.const i32x4 0 0 0 0))))
    (v128.bitselect
      (v128.bitselect
        (v128.or (local.get $sign) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
        (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)
        (i32x4.eq (v128.and (local.get $h) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)) (v128.const i32x4 0 0 0 0)))
      (local.get $r)
      (i32x4.eq (local.get $e) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))))

  (func (export "f16_decode") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $h v128) (local $lo v128) (local $hi v128)
    (local $h0 v128) (local $e0 v128) (local $sign0 v128) (local $r0 v128)
    (local $h1 v128) (local $e1 v128) (local $sign1 v128) (local $r1 v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 1))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $h (v128.load align=2 (local.get $src)))
        (local.set $h0 (i32x4.extend_low_i16x8_u (local.get $h)))
        (local.set $e0 (v128.and (local.get $h0) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))
        (local.set $sign0 (i32x4.shl (v128.and (local.get $h0) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
        (local.set $r0 (v128.or (local.get $sign0)
          (i32x4.shl (i32x4.add (v128.and (local.get $h0) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                                (v128.const i32x4 0x1c000 0x1c000 0x1c000 0x1c000)) (i32.const 13))))
        (local.set $r0 (v128.bitselect
          (v128.or (local.get $sign0)
            (f32x4.mul (f32x4.convert_i32x4_u (v128.and (local.get $h0) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)))
                       (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24)))
          (local.get $r0)
          (i32x4.eq (local.get $e0) (v128.const i32x4 0 0 0 0))))
        (local.set $lo (v128.bitselect
          (v128.bitselect
            (v128.or (local.get $sign0) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
            (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)
            (i32x4.eq (v128.and (local.get $h0) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)) (v128.const i32x4 0 0 0 0)))
          (local.get $r0)
          (i32x4.eq (local.get $e0) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))))
        (local.set $h1 (i32x4.extend_high_i16x8_u (local.get $h)))
        (local.set $e1 (v128.and (local.get $h1) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))
        (local.set $sign1 (i32x4.shl (v128.and (local.get $h1) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
        (local.set $r1 (v128.or (local.get $sign1)
          (i32x4.shl (i32x4.add (v128.and (local.get $h1) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                                (v128.const i32x4 0x1c000 0x1c000 0x1c000 0x1c000)) (i32.const 13))))
        (local.set $r1 (v128.bitselect
          (v128.or (local.get $sign1)
            (f32x4.mul (f32x4.convert_i32x4_u (v128.and (local.get $h1) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)))
                       (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24)))
          (local.get $r1)
          (i32x4.eq (local.get $e1) (v128.const i32x4 0 0 0 0))))
        (local.set $hi (v128.bitselect
          (v128.bitselect
            (v128.or (local.get $sign1) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
            (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)
            (i32x4.eq (v128.and (local.get $h1) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)) (v128.const i32x4 0 0 0 0)))
          (local.get $r1)
          (i32x4.eq (local.get $e1) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))))
        (v128.store align=4 (local.get $dst) (local.get $lo))
        (v128.store offset=16 align=4 (local.get $dst) (local.get $hi))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 1))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (i32.store (local.get $dst)
          (i32x4.extract_lane 0 (call $float4 (i32x4.splat (i32.load16_u (local.get $src))))))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $l))))
)
