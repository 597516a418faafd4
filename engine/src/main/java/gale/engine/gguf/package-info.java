// GGUF reading and writing, ggml tensor types and their reference (de)quantisation.
/**
 * GGUF files: {@link gale.engine.gguf.GgufFile} opens and validates one (v2 or v3, little-endian) through a single
 * read-only memory map and exposes its metadata ({@link gale.engine.gguf.GgufValue}) and tensors
 * ({@link gale.engine.gguf.GgufTensor}, zero-copy {@code ByteArray}/{@code FloatArray}/{@code HalfArray} views);
 * {@link gale.engine.gguf.GgufWriter} writes one; {@link gale.engine.gguf.GgmlType} carries block geometry and the
 * plain-Java reference (de)quantisation for F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K.
 *
 * <p>Every problem in a file is a {@link gale.engine.gguf.GgufFormatException} naming file, field, offset and value.
 * Where Gale differs from llama.cpp's gguf.cpp: tensor offsets must be aligned, inside the data section and
 * non-overlapping, but need not equal the running padded sum (llama.cpp's extra rule); strings are capped at 64 MiB
 * and arrays at 2^28 elements (2^24 for string arrays); metadata string values are decoded as UTF-8 with malformed
 * sequences replaced by U+FFFD, while keys and tensor names must be valid UTF-8; integer hyperparameters may use any
 * integer type (llama.cpp insists on the exact one), float ones FLOAT32 or FLOAT64.
 */
package gale.engine.gguf;
