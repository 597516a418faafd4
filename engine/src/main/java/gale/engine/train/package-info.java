// Training on any Gale device: the trainable model and what one step stores and recomputes.
/**
 * Training of Llama models on any Gale device ({@code jvm}, OpenCL, CUDA) with the kernels of
 * {@code gale.kernels.train}. {@link gale.engine.train.TrainableLlama} holds parameters, gradients and both AdamW
 * moments on the device; tokens and targets go up per micro-batch, per-sequence loss sums and gradient-norm partials
 * come back.
 *
 * <p>One step = {@code forwardBackward} per micro-batch (gradients accumulate) then {@code optimizerStep}:
 * <ol>
 *   <li>Forward, per layer: RMSNorm (stores 1/rms per row, not the normalised rows), Q/K/V projections, RoPE
 *       (stores q and k after rotation), exact causal GQA attention with an online softmax (stores the output and one
 *       logsumexp per row and head — never the T×T scores or weights), output projection into a stored copy of the
 *       residual, RMSNorm, gate and up projections (stored), SwiGLU (recomputed later, not stored), down projection
 *       into the next residual (stored). Head: final RMSNorm, logits (stored, N×vocab), fused softmax +
 *       cross-entropy that turns the logits into dLoss/dlogits in place (targets −1 contribute nothing).</li>
 *   <li>Backward, layers in reverse: the normalised inputs and the SwiGLU product are recomputed from the stored
 *       residuals, 1/rms, gate and up; attention recomputes P = exp(q·k·scale − logsumexp) from q, k and the stored
 *       logsumexp (FlashAttention-2: D = rowsum(dO∘O), dS = P∘(dO·vᵀ − D)), and dq/dk are rotated back by −θ.
 *       Weight gradients are added (dW += dYᵀ·X) so micro-batches accumulate; the embedding gradient is a scatter-add
 *       done one column per work-item in token order.</li>
 *   <li>Optimizer: fixed-order partial sums of squares per tensor, summed on the host in order → global norm (times
 *       gradScale); clip factor on the host; AdamW (bias-corrected, decoupled weight decay on 2-D weights only)
 *       reading its hyper-parameters from a small device array, zeroing the gradients.</li>
 * </ol>
 * Every reduction has a fixed order and no kernel uses atomics, so steps are bitwise reproducible on a device.
 */
package gale.engine.train;
