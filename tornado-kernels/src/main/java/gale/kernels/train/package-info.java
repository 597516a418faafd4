// The training kernels: backward passes, loss and optimizer, all deterministic and translatable to OpenCL C/CUDA C.
/**
 * Kernels for training Llama models in F32: the forward variants that keep what the backward needs (1/rms per row,
 * attention logsumexp per row and head), the backward of every op (mat-mul input and weight gradients, RMSNorm,
 * RoPE as the inverse rotation, FlashAttention-2 style attention, SwiGLU, embedding scatter-add), fused softmax +
 * cross-entropy, fixed-order sums of squares for the global gradient norm, and AdamW. No kernel uses atomics and
 * every sum runs in a fixed order, so a step is bitwise reproducible on a device. The mat-muls and attention have
 * Vector API twins for the {@code jvm} backend ({@code ...Simd}, {@code jvmOnly}). Double-precision reference
 * maths: {@code reference.TrainReference}; the engine's use: {@code gale.engine.train.TrainableLlama}.
 */
package gale.kernels.train;
