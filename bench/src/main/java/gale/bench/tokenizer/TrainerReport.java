// Trains vocabularies on a corpus and reports training time and tokens per byte: the numbers in bench/RESULTS.md.
package gale.bench.tokenizer;

import gale.tokenizer.BpeTrainer;
import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Usage: {@code TrainerReport [corpus file] [sizes...]} (default build/corpus/kjv.txt, 2048 4096). For both tokenizer
 * kinds and each size: trains on the file, encodes the whole file with the result and prints tokens per byte, and
 * checks that decoding gives the file back.
 */
public final class TrainerReport {
    public static void main(String[] args) throws Exception {
        Path corpus = args.length > 0 ? Path.of(args[0]) : BenchData.kjv();
        int[] sizes = args.length > 1
                ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {2048, 4096};
        String text = Files.readString(corpus);
        long bytes = Files.size(corpus);
        System.out.printf("corpus %s: %d bytes%n", corpus, bytes);
        for (Vocabulary.Model model : Vocabulary.Model.values()) {
            for (int size : sizes) {
                long t0 = System.nanoTime();
                Vocabulary v = BpeTrainer.train(List.of(corpus), BpeTrainer.Options.of(size, model, System.err));
                double train = (System.nanoTime() - t0) / 1e9;
                Tokenizer tok = Tokenizer.of(v);
                t0 = System.nanoTime();
                int[] ids = tok.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
                double enc = (System.nanoTime() - t0) / 1e9;
                boolean same = tok.decode(ids, false).equals(text);
                System.out.printf("%-14s %5d: train %5.2f s, %8d tokens, %.4f tokens/byte (%.2f bytes/token), "
                        + "encode %.2f s, round trip %s%n", model, size, train, ids.length, ids.length / (double) bytes,
                        bytes / (double) ids.length, enc, same ? "exact" : "FAILED");
            }
        }
    }
}
