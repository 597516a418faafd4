// A bounded memo of pre-token -> token ids. Encoding a pre-token is a pure function of the vocabulary, so caching is
// exact; natural text repeats words so much that most pre-tokens skip merging entirely.
package gale.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/** Thread-safe: concurrent encoders share one cache. */
final class WordCache {
    static final int MAX_WORD_CHARS = 48;
    private static final int MAX_ENTRIES = 1 << 16;
    private final ConcurrentHashMap<String, int[]> map = new ConcurrentHashMap<>(1 << 12);

    int[] get(String word) { return map.get(word); }

    void put(String word, int[] ids) {
        if (word.length() > MAX_WORD_CHARS) return;
        // crude bound: a full cache starts over rather than tracking recency, which costs nothing per hit
        if (map.size() >= MAX_ENTRIES) map.clear();
        map.put(word, ids);
    }
}
