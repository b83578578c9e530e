;; The element-wise algebra of an LSTM cell for one time step of a batch, in WebAssembly SIMD
;; (four float32 lanes). The matrix products around it run as tensor ops (see network.ts); these
;; kernels replace the per-element JavaScript loops and tfjs's separate sigmoid/tanh ops, which
;; were most of a training step on wasm. Written by hand in text format because the work is a
;; few dozen lines and no toolchain (clang, emscripten) is needed: `npm run kernels` in
;; libs/lstm-model assembles it with wabt into cell-kernels.wasm.ts, and a test checks that the
;; committed binary is this file.
;;
;; Layout (all float32, row-major, pointers are byte offsets into this module's memory): gate
;; arrays are [B][4H] in Keras's order i, f, c~, o; unit arrays (cell, tanh of cell, hidden) are
;; [B][H]; `start` is int32 [B]. Rows with t < start[b] are left padding: their state is zero and
;; no gradient flows through them. H need not be a multiple of 4: the last chunk of a row is
;; stored through a lane mask, keeping whatever the other lanes held, so every array needs 16
;; bytes of slack after its end (the allocator in cell-kernels.ts adds it).
(module
  (memory (export "memory") 1)

  ;; exp(x) for x <= 0 (clamped at -87.33, where the result leaves the normal range): 2^n e^r with
  ;; n = round(x / ln 2) and |r| <= ln(2)/2, e^r by its Taylor polynomial of degree 7 (relative
  ;; error below 5e-9, under float32's own rounding). NaN stays NaN.
  (func $exp_nonpositive (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmax (local.get $x) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.442695041 1.442695041 1.442695041 1.442695041))))
    ;; r = x - n ln2, with ln2 split in two so that n * ln2_hi is exact.
    (local.set $r
      (f32x4.sub
        (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693145751953125 0.693145751953125 0.693145751953125 0.693145751953125)))
        (f32x4.mul (local.get $n) (v128.const f32x4 1.428606765330187e-06 1.428606765330187e-06 1.428606765330187e-06 1.428606765330187e-06))))
    (local.set $p (f32x4.add (v128.const f32x4 1.388888888888889e-03 1.388888888888889e-03 1.388888888888889e-03 1.388888888888889e-03)
                             (f32x4.mul (local.get $r) (v128.const f32x4 1.984126984126984e-04 1.984126984126984e-04 1.984126984126984e-04 1.984126984126984e-04))))
    (local.set $p (f32x4.add (v128.const f32x4 8.333333333333333e-03 8.333333333333333e-03 8.333333333333333e-03 8.333333333333333e-03) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 4.166666666666667e-02 4.166666666666667e-02 4.166666666666667e-02 4.166666666666667e-02) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 1.666666666666667e-01 1.666666666666667e-01 1.666666666666667e-01 1.666666666666667e-01) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $r) (local.get $p))))
    ;; 2^n built in the exponent bits (n >= -126 after the clamp, so it is a normal number).
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; sigmoid(x) = 1 / (1 + e^-x), from e = exp(-|x|) so that nothing overflows.
  (func $sigmoid (param $x v128) (result v128)
    (local $e v128) (local $s v128)
    (local.set $e (call $exp_nonpositive (f32x4.neg (f32x4.abs (local.get $x)))))
    (local.set $s (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
    (v128.bitselect (local.get $s) (f32x4.mul (local.get $e) (local.get $s))
      (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0))))

  ;; tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|).
  (func $tanh (param $x v128) (result v128)
    (local $e v128) (local $t v128)
    (local.set $e (call $exp_nonpositive (f32x4.mul (f32x4.abs (local.get $x)) (v128.const f32x4 -2 -2 -2 -2))))
    (local.set $t (f32x4.div (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $e)) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
    (v128.bitselect (local.get $t) (f32x4.neg (local.get $t))
      (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0))))

  ;; Stores the lanes of `value` selected by `mask`, keeping the others as they are in memory.
  (func $store (param $at i32) (param $value v128) (param $mask v128)
    (v128.store (local.get $at) (v128.bitselect (local.get $value) (v128.load (local.get $at)) (local.get $mask))))

  ;; Lanes of the chunk at unit j that lie inside a row of H units.
  (func $lanes (param $j i32) (param $H i32) (result v128)
    (i32x4.gt_s (i32x4.splat (i32.sub (local.get $H) (local.get $j))) (v128.const i32x4 0 1 2 3)))

  ;; A pre-activation chunk: the input projection plus, after the first step, the recurrent one.
  (func $pre (param $zx i32) (param $zh i32) (param $at i32) (result v128)
    (if (result v128) (local.get $zh)
      (then (f32x4.add (v128.load (i32.add (local.get $zx) (local.get $at))) (v128.load (i32.add (local.get $zh) (local.get $at)))))
      (else (v128.load (i32.add (local.get $zx) (local.get $at))))))

  ;; Forward through step t: from the pre-activations (zx + zh, zh = 0 at the first step) and
  ;; the previous cell state (cPrev = 0 at the first step), the activated gates, the cell state,
  ;; its tanh and the hidden state h = o tanh(c).
  (func (export "forward")
    (param $zx i32) (param $zh i32) (param $cPrev i32) (param $start i32) (param $t i32) (param $B i32) (param $H i32)
    (param $gates i32) (param $cell i32) (param $tanhCell i32) (param $hidden i32)
    (local $b i32) (local $j i32) (local $hb i32) (local $row i32) (local $unit i32) (local $a i32) (local $k i32)
    (local $mask v128) (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $c v128) (local $tc v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $b) (local.get $B)))
        (local.set $row (i32.mul (local.get $b) (i32.shl (local.get $hb) (i32.const 2))))
        (local.set $unit (i32.mul (local.get $b) (local.get $hb)))
        (if (i32.lt_s (local.get $t) (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
          (then
            (memory.fill (i32.add (local.get $gates) (local.get $row)) (i32.const 0) (i32.shl (local.get $hb) (i32.const 2)))
            (memory.fill (i32.add (local.get $cell) (local.get $unit)) (i32.const 0) (local.get $hb))
            (memory.fill (i32.add (local.get $tanhCell) (local.get $unit)) (i32.const 0) (local.get $hb))
            (memory.fill (i32.add (local.get $hidden) (local.get $unit)) (i32.const 0) (local.get $hb)))
          (else
            (local.set $j (i32.const 0))
            (loop $units
              (local.set $mask (call $lanes (local.get $j) (local.get $H)))
              (local.set $a (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
              (local.set $k (i32.add (local.get $unit) (i32.shl (local.get $j) (i32.const 2))))
              (local.set $i (call $sigmoid (call $pre (local.get $zx) (local.get $zh) (local.get $a))))
              (local.set $f (call $sigmoid (call $pre (local.get $zx) (local.get $zh) (i32.add (local.get $a) (local.get $hb)))))
              (local.set $g (call $tanh (call $pre (local.get $zx) (local.get $zh) (i32.add (local.get $a) (i32.shl (local.get $hb) (i32.const 1))))))
              (local.set $o (call $sigmoid (call $pre (local.get $zx) (local.get $zh) (i32.add (local.get $a) (i32.mul (local.get $hb) (i32.const 3))))))
              (local.set $c (f32x4.mul (local.get $i) (local.get $g)))
              (if (local.get $cPrev)
                (then (local.set $c (f32x4.add (local.get $c) (f32x4.mul (local.get $f) (v128.load (i32.add (local.get $cPrev) (local.get $k))))))))
              (local.set $tc (call $tanh (local.get $c)))
              (local.set $a (i32.add (local.get $gates) (local.get $a)))
              (call $store (local.get $a) (local.get $i) (local.get $mask))
              (call $store (i32.add (local.get $a) (local.get $hb)) (local.get $f) (local.get $mask))
              (call $store (i32.add (local.get $a) (i32.shl (local.get $hb) (i32.const 1))) (local.get $g) (local.get $mask))
              (call $store (i32.add (local.get $a) (i32.mul (local.get $hb) (i32.const 3))) (local.get $o) (local.get $mask))
              (call $store (i32.add (local.get $cell) (local.get $k)) (local.get $c) (local.get $mask))
              (call $store (i32.add (local.get $tanhCell) (local.get $k)) (local.get $tc) (local.get $mask))
              (call $store (i32.add (local.get $hidden) (local.get $k)) (f32x4.mul (local.get $o) (local.get $tc)) (local.get $mask))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (br_if $units (i32.lt_s (local.get $j) (local.get $H))))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows))))

  ;; Back through step t: from the gradient at h (dHidden from above plus dRecurrent from step
  ;; t + 1) and at c (dCell, updated in place to the previous step's), the gradients of the four
  ;; pre-activations into dz ([B][4H]), also summed into dBias ([4H]).
  (func (export "backward")
    (param $gates i32) (param $tanhCell i32) (param $cPrev i32) (param $dHidden i32) (param $dRecurrent i32) (param $dCell i32)
    (param $start i32) (param $t i32) (param $B i32) (param $H i32) (param $dz i32) (param $dBias i32)
    (local $b i32) (local $j i32) (local $hb i32) (local $row i32) (local $unit i32) (local $a i32) (local $k i32) (local $at i32)
    (local $mask v128) (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $tc v128) (local $previous v128)
    (local $dh v128) (local $dc v128) (local $di v128) (local $df v128) (local $dg v128) (local $do v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $b) (local.get $B)))
        (local.set $row (i32.mul (local.get $b) (i32.shl (local.get $hb) (i32.const 2))))
        (local.set $unit (i32.mul (local.get $b) (local.get $hb)))
        (if (i32.lt_s (local.get $t) (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))))
          (then (memory.fill (i32.add (local.get $dz) (local.get $row)) (i32.const 0) (i32.shl (local.get $hb) (i32.const 2))))
          (else
            (local.set $j (i32.const 0))
            (loop $units
              (local.set $mask (call $lanes (local.get $j) (local.get $H)))
              (local.set $a (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
              (local.set $k (i32.add (local.get $unit) (i32.shl (local.get $j) (i32.const 2))))
              (local.set $at (i32.add (local.get $gates) (local.get $a)))
              (local.set $i (v128.load (local.get $at)))
              (local.set $f (v128.load (i32.add (local.get $at) (local.get $hb))))
              (local.set $g (v128.load (i32.add (local.get $at) (i32.shl (local.get $hb) (i32.const 1)))))
              (local.set $o (v128.load (i32.add (local.get $at) (i32.mul (local.get $hb) (i32.const 3)))))
              (local.set $tc (v128.load (i32.add (local.get $tanhCell) (local.get $k))))
              (local.set $dh (f32x4.add (v128.load (i32.add (local.get $dHidden) (local.get $k))) (v128.load (i32.add (local.get $dRecurrent) (local.get $k)))))
              (local.set $dc
                (f32x4.add (v128.load (i32.add (local.get $dCell) (local.get $k)))
                  (f32x4.mul (f32x4.mul (local.get $dh) (local.get $o))
                    (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $tc) (local.get $tc))))))
              (local.set $previous (v128.const f32x4 0 0 0 0))
              (if (local.get $cPrev) (then (local.set $previous (v128.load (i32.add (local.get $cPrev) (local.get $k))))))
              (local.set $di (f32x4.mul (f32x4.mul (local.get $dc) (local.get $g)) (f32x4.mul (local.get $i) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $i)))))
              (local.set $df (f32x4.mul (f32x4.mul (local.get $dc) (local.get $previous)) (f32x4.mul (local.get $f) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f)))))
              (local.set $dg (f32x4.mul (f32x4.mul (local.get $dc) (local.get $i)) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $g) (local.get $g)))))
              (local.set $do (f32x4.mul (f32x4.mul (local.get $dh) (local.get $tc)) (f32x4.mul (local.get $o) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $o)))))
              (local.set $at (i32.add (local.get $dz) (local.get $a)))
              (call $store (local.get $at) (local.get $di) (local.get $mask))
              (call $store (i32.add (local.get $at) (local.get $hb)) (local.get $df) (local.get $mask))
              (call $store (i32.add (local.get $at) (i32.shl (local.get $hb) (i32.const 1))) (local.get $dg) (local.get $mask))
              (call $store (i32.add (local.get $at) (i32.mul (local.get $hb) (i32.const 3))) (local.get $do) (local.get $mask))
              (local.set $at (i32.add (local.get $dBias) (i32.shl (local.get $j) (i32.const 2))))
              (call $store (local.get $at) (f32x4.add (v128.load (local.get $at)) (local.get $di)) (local.get $mask))
              (local.set $at (i32.add (local.get $at) (local.get $hb)))
              (call $store (local.get $at) (f32x4.add (v128.load (local.get $at)) (local.get $df)) (local.get $mask))
              (local.set $at (i32.add (local.get $at) (local.get $hb)))
              (call $store (local.get $at) (f32x4.add (v128.load (local.get $at)) (local.get $dg)) (local.get $mask))
              (local.set $at (i32.add (local.get $at) (local.get $hb)))
              (call $store (local.get $at) (f32x4.add (v128.load (local.get $at)) (local.get $do)) (local.get $mask))
              (call $store (i32.add (local.get $dCell) (local.get $k)) (f32x4.mul (local.get $dc) (local.get $f)) (local.get $mask))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (br_if $units (i32.lt_s (local.get $j) (local.get $H))))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows))))
  ;; dst = src transposed: src is [rows][cols], dst [cols][rows]. 4 x 4 blocks go through
  ;; registers (four loads, eight shuffles, four stores); the rows and columns left over are
  ;; copied one value at a time. (tfjs's own Transpose kernel on wasm takes ~7 ns a value.)
  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $c i32) (local $rows4 i32) (local $cols4 i32) (local $rowBytes i32) (local $colBytes i32)
    (local $at i32) (local $to i32)
    (local $a v128) (local $b v128) (local $x v128) (local $y v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $blocks_done
      (loop $block_rows
        (br_if $blocks_done (i32.ge_s (local.get $r) (local.get $rows4)))
        (local.set $c (i32.const 0))
        (block $row_done
          (loop $block_cols
            (br_if $row_done (i32.ge_s (local.get $c) (local.get $cols4)))
            (local.set $at (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
            (local.set $a (v128.load (local.get $at)))
            (local.set $b (v128.load (i32.add (local.get $at) (local.get $rowBytes))))
            (local.set $x (v128.load (i32.add (local.get $at) (i32.shl (local.get $rowBytes) (i32.const 1)))))
            (local.set $y (v128.load (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (i32.const 3)))))
            ;; [a0 b0 a1 b1], [a2 b2 a3 b3], [x0 y0 x1 y1], [x2 y2 x3 y3]
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x) (local.get $y)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x) (local.get $y)))
            (local.set $to (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
            (v128.store (local.get $to) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $to) (local.get $colBytes)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $to) (i32.shl (local.get $colBytes) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (local.get $to) (i32.mul (local.get $colBytes) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $block_cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $block_rows)))
    ;; Leftover columns of the blocked rows, then every column of the leftover rows.
    (call $transpose_scalar (local.get $src) (local.get $rows) (local.get $cols) (local.get $dst) (i32.const 0) (local.get $rows4) (local.get $cols4))
    (call $transpose_scalar (local.get $src) (local.get $rows) (local.get $cols) (local.get $dst) (local.get $rows4) (local.get $rows) (i32.const 0)))

  ;; dst[c][r] = src[r][c] for rows from..to and columns from c0 on.
  (func $transpose_scalar (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32) (param $r i32) (param $rEnd i32) (param $c0 i32)
    (local $c i32)
    (block $done
      (loop $rows_loop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rEnd)))
        (local.set $c (local.get $c0))
        (block $row_done
          (loop $cols_loop
            (br_if $row_done (i32.ge_s (local.get $c) (local.get $cols)))
            (f32.store
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
              (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop))))
)
