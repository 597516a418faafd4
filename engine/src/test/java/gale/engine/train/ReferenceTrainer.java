// An independent double-precision Llama trainer in plain Java: forward, hand-written backward and AdamW, no kernels.
package gale.engine.train;

import gale.engine.model.LlamaConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test oracle for {@link TrainableLlama}: the same model (llama.cpp conventions as in ReferenceLlama: adjacent-pair
 * RoPE, GQA head h → KV head h/(nHead/nKv), W stored (out, in) row-major) written in doubles with every intermediate
 * kept, attention weights included, and the backward derived by hand op by op. Positions restart per sequence.
 */
final class ReferenceTrainer {
    final LlamaConfig c;
    final boolean tied;
    final Map<String, double[]> p = new LinkedHashMap<>(), m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    Map<String, double[]> grads;

    ReferenceTrainer(LlamaConfig c, boolean tied, Map<String, float[]> params) {
        this.c = c;
        this.tied = tied;
        for (var e : params.entrySet()) {
            double[] d = new double[e.getValue().length];
            for (int i = 0; i < d.length; i++) d[i] = e.getValue()[i];
            p.put(e.getKey(), d);
            m.put(e.getKey(), new double[d.length]);
            v.put(e.getKey(), new double[d.length]);
        }
        zeroGrads();
    }

    void zeroGrads() {
        grads = new LinkedHashMap<>();
        for (var e : p.entrySet()) grads.put(e.getKey(), new double[e.getValue().length]);
    }

    private double[] P(String n) { return p.get(n); }
    private double[] G(String n) { return grads.get(n); }

    // y[t] = W x[t]; W (rows, cols)
    static double[][] lin(double[][] x, double[] w, int rows, int cols) {
        double[][] y = new double[x.length][rows];
        for (int t = 0; t < x.length; t++)
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int k = 0; k < cols; k++) s += w[r * cols + k] * x[t][k];
                y[t][r] = s;
            }
        return y;
    }

    // returns dx; adds dW
    static double[][] linBack(double[][] dy, double[][] x, double[] w, double[] dw, int rows, int cols) {
        double[][] dx = new double[x.length][cols];
        for (int t = 0; t < x.length; t++)
            for (int r = 0; r < rows; r++) {
                double d = dy[t][r];
                for (int k = 0; k < cols; k++) {
                    dx[t][k] += d * w[r * cols + k];
                    dw[r * cols + k] += d * x[t][k];
                }
            }
        return dx;
    }

    double[] rstd(double[][] x) {
        double[] r = new double[x.length];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double a : x[t]) ss += a * a;
            r[t] = 1 / Math.sqrt(ss / x[t].length + c.rmsNormEps());
        }
        return r;
    }

    static double[][] norm(double[][] x, double[] r, double[] w) {
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) for (int i = 0; i < w.length; i++) y[t][i] = x[t][i] * r[t] * w[i];
        return y;
    }

    static double[][] normBack(double[][] dy, double[][] x, double[] r, double[] w, double[] dw) {
        int n = w.length;
        double[][] dx = new double[x.length][n];
        for (int t = 0; t < x.length; t++) {
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += dy[t][i] * w[i] * x[t][i];
                dw[i] += dy[t][i] * x[t][i] * r[t];
            }
            for (int i = 0; i < n; i++) dx[t][i] = r[t] * w[i] * dy[t][i] - x[t][i] * r[t] * r[t] * r[t] * dot / n;
        }
        return dx;
    }

    void rope(double[][] x, int seqLen, int heads, double sign) {
        int hd = c.headDim(), rot = c.ropeDimensionCount();
        for (int t = 0; t < x.length; t++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < rot; i += 2) {
                    double theta = (t % seqLen) * Math.pow(c.ropeFreqBase(), -(double) i / rot);
                    double co = Math.cos(theta), si = sign * Math.sin(theta);
                    int j = h * hd + i;
                    double a = x[t][j], b = x[t][j + 1];
                    x[t][j] = a * co - b * si;
                    x[t][j + 1] = a * si + b * co;
                }
    }

    private static double[][] copy(double[][] a) {
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) b[i] = a[i].clone();
        return b;
    }

    private static void addInto(double[][] a, double[][] b) {
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) a[i][j] += b[i][j];
    }

    /** Forward (and, with backward, gradients added into {@link #grads}); returns the summed token loss. */
    double step(int[] tokens, int[] targets, int seqLen, boolean backward) {
        int N = tokens.length, dim = c.embeddingLength(), kvDim = c.kvDim(), ffn = c.feedForwardLength(), V = c.vocabSize();
        int L = c.blockCount(), nH = c.headCount(), nKv = c.headCountKv(), hd = c.headDim(), grp = nH / nKv;
        double scale = 1 / Math.sqrt(hd);
        double[] emb = P("token_embd.weight");
        double[][][] xs = new double[L + 1][][], xm = new double[L][][], xn1 = new double[L][][], xn2 = new double[L][][];
        double[][] r1 = new double[L][], r2 = new double[L][];
        double[][][] qs = new double[L][][], ks = new double[L][][], vs = new double[L][][], os = new double[L][][];
        double[][][][] pw = new double[L][][][];   // attention weights [t][h][s]: everything kept
        double[][][] gs = new double[L][][], us = new double[L][][], hs = new double[L][][];
        xs[0] = new double[N][dim];
        for (int t = 0; t < N; t++) for (int i = 0; i < dim; i++) xs[0][t][i] = emb[tokens[t] * dim + i];
        for (int l = 0; l < L; l++) {
            String b = "blk." + l + ".";
            r1[l] = rstd(xs[l]);
            xn1[l] = norm(xs[l], r1[l], P(b + "attn_norm.weight"));
            qs[l] = lin(xn1[l], P(b + "attn_q.weight"), dim, dim);
            ks[l] = lin(xn1[l], P(b + "attn_k.weight"), kvDim, dim);
            vs[l] = lin(xn1[l], P(b + "attn_v.weight"), kvDim, dim);
            rope(qs[l], seqLen, nH, 1);
            rope(ks[l], seqLen, nKv, 1);
            os[l] = new double[N][dim];
            pw[l] = new double[N][nH][];
            for (int t = 0; t < N; t++) {
                int first = t - t % seqLen;
                for (int h = 0; h < nH; h++) {
                    int g = h / grp;
                    double[] w = new double[t - first + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = first; s <= t; s++) {
                        double d = 0;
                        for (int e = 0; e < hd; e++) d += qs[l][t][h * hd + e] * ks[l][s][g * hd + e];
                        w[s - first] = d * scale;
                        max = Math.max(max, w[s - first]);
                    }
                    double sum = 0;
                    for (int j = 0; j < w.length; j++) sum += w[j] = Math.exp(w[j] - max);
                    for (int j = 0; j < w.length; j++) w[j] /= sum;
                    pw[l][t][h] = w;
                    for (int s = first; s <= t; s++)
                        for (int e = 0; e < hd; e++) os[l][t][h * hd + e] += w[s - first] * vs[l][s][g * hd + e];
                }
            }
            xm[l] = copy(xs[l]);
            addInto(xm[l], lin(os[l], P(b + "attn_output.weight"), dim, dim));
            r2[l] = rstd(xm[l]);
            xn2[l] = norm(xm[l], r2[l], P(b + "ffn_norm.weight"));
            gs[l] = lin(xn2[l], P(b + "ffn_gate.weight"), ffn, dim);
            us[l] = lin(xn2[l], P(b + "ffn_up.weight"), ffn, dim);
            hs[l] = new double[N][ffn];
            for (int t = 0; t < N; t++) for (int i = 0; i < ffn; i++) {
                double g = gs[l][t][i];
                hs[l][t][i] = g / (1 + Math.exp(-g)) * us[l][t][i];
            }
            xs[l + 1] = copy(xm[l]);
            addInto(xs[l + 1], lin(hs[l], P(b + "ffn_down.weight"), dim, ffn));
        }
        double[] rf = rstd(xs[L]);
        double[][] xf = norm(xs[L], rf, P("output_norm.weight"));
        String outName = tied ? "token_embd.weight" : "output.weight";
        double[][] logits = lin(xf, P(outName), V, dim);
        double loss = 0;
        double[][] dlog = new double[N][V];
        for (int t = 0; t < N; t++) {
            if (targets[t] < 0) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (double a : logits[t]) max = Math.max(max, a);
            double sum = 0;
            for (double a : logits[t]) sum += Math.exp(a - max);
            double lse = max + Math.log(sum);
            loss += lse - logits[t][targets[t]];
            for (int j = 0; j < V; j++) dlog[t][j] = Math.exp(logits[t][j] - lse) - (j == targets[t] ? 1 : 0);
        }
        if (!backward) return loss;

        double[][] dxf = linBack(dlog, xf, P(outName), G(outName), V, dim);
        double[][] dx = normBack(dxf, xs[L], rf, P("output_norm.weight"), G("output_norm.weight"));
        for (int l = L - 1; l >= 0; l--) {
            String b = "blk." + l + ".";
            double[][] dh = linBack(dx, hs[l], P(b + "ffn_down.weight"), G(b + "ffn_down.weight"), dim, ffn);
            double[][] dg = new double[N][ffn], du = new double[N][ffn];
            for (int t = 0; t < N; t++) for (int i = 0; i < ffn; i++) {
                double g = gs[l][t][i], sig = 1 / (1 + Math.exp(-g));
                du[t][i] = dh[t][i] * g * sig;
                dg[t][i] = dh[t][i] * us[l][t][i] * (sig + g * sig * (1 - sig));
            }
            double[][] dxn2 = linBack(dg, xn2[l], P(b + "ffn_gate.weight"), G(b + "ffn_gate.weight"), ffn, dim);
            addInto(dxn2, linBack(du, xn2[l], P(b + "ffn_up.weight"), G(b + "ffn_up.weight"), ffn, dim));
            addInto(dx, normBack(dxn2, xm[l], r2[l], P(b + "ffn_norm.weight"), G(b + "ffn_norm.weight")));
            // attention
            double[][] dO = linBack(dx, os[l], P(b + "attn_output.weight"), G(b + "attn_output.weight"), dim, dim);
            double[][] dq = new double[N][dim], dk = new double[N][kvDim], dv = new double[N][kvDim];
            for (int t = 0; t < N; t++) {
                int first = t - t % seqLen;
                for (int h = 0; h < nH; h++) {
                    int g = h / grp;
                    double[] w = pw[l][t][h];
                    double[] dw = new double[w.length];
                    double dot = 0;
                    for (int s = first; s <= t; s++) {
                        double d = 0;
                        for (int e = 0; e < hd; e++) {
                            d += dO[t][h * hd + e] * vs[l][s][g * hd + e];
                            dv[s][g * hd + e] += w[s - first] * dO[t][h * hd + e];
                        }
                        dw[s - first] = d;
                        dot += d * w[s - first];
                    }
                    for (int s = first; s <= t; s++) {
                        double ds = w[s - first] * (dw[s - first] - dot) * scale;   // softmax backward
                        for (int e = 0; e < hd; e++) {
                            dq[t][h * hd + e] += ds * ks[l][s][g * hd + e];
                            dk[s][g * hd + e] += ds * qs[l][t][h * hd + e];
                        }
                    }
                }
            }
            rope(dq, seqLen, nH, -1);
            rope(dk, seqLen, nKv, -1);
            double[][] dxn1 = linBack(dq, xn1[l], P(b + "attn_q.weight"), G(b + "attn_q.weight"), dim, dim);
            addInto(dxn1, linBack(dk, xn1[l], P(b + "attn_k.weight"), G(b + "attn_k.weight"), kvDim, dim));
            addInto(dxn1, linBack(dv, xn1[l], P(b + "attn_v.weight"), G(b + "attn_v.weight"), kvDim, dim));
            addInto(dx, normBack(dxn1, xs[l], r1[l], P(b + "attn_norm.weight"), G(b + "attn_norm.weight")));
        }
        double[] de = G("token_embd.weight");
        for (int t = 0; t < N; t++) for (int i = 0; i < dim; i++) de[tokens[t] * dim + i] += dx[t][i];
        return loss;
    }

    /** TrainableLlama.optimizerStep in doubles; returns the scaled norm. */
    double adamStep(TrainableLlama.AdamW h, double lr, int t, double gradScale) {
        double ss = 0;
        for (double[] g : grads.values()) for (double a : g) ss += a * a;
        double norm = Math.abs(gradScale) * Math.sqrt(ss);
        double coef = h.clipNorm() > 0 && norm > h.clipNorm() ? h.clipNorm() / (norm + 1e-6) : 1;
        double mul = gradScale * coef, b1 = h.beta1(), b2 = h.beta2();
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        for (String n : p.keySet()) {
            double[] w = p.get(n), g = grads.get(n), mm = m.get(n), vv = v.get(n);
            boolean decay = !n.endsWith("norm.weight");
            for (int i = 0; i < w.length; i++) {
                double gr = g[i] * mul;
                if (decay) w[i] *= 1 - lr * h.weightDecay();
                mm[i] = b1 * mm[i] + (1 - b1) * gr;
                vv[i] = b2 * vv[i] + (1 - b2) * gr * gr;
                w[i] -= lr * (mm[i] / bc1) / (Math.sqrt(vv[i] / bc2) + h.eps());
            }
        }
        zeroGrads();
        return norm;
    }
}
