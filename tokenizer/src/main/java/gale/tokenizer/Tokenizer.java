// The public face of gale.tokenizer: text to token ids and back, exactly as llama.cpp tokenizes.
package gale.tokenizer;

/**
 * Turns text into token ids and back for one {@link Vocabulary}, matching llama.cpp's {@code llama_tokenize} and
 * {@code llama_token_to_piece}. Instances are immutable and safe to use from many threads at once.
 *
 * <p>Special tokens are only recognised where the caller says so: {@link SpecialTokens#PLAIN_TEXT} (for anything a
 * user typed) never produces control tokens, whatever the text contains; {@link SpecialTokens#RECOGNISE} (for
 * template scaffolding) turns control-token texts such as {@code <|eot_id|>} into their ids. User-defined tokens are
 * matched in both modes, as in llama.cpp.
 */
public sealed interface Tokenizer permits BaseTokenizer {
    /** Whether special-token texts in the input are recognised. */
    enum SpecialTokens {
        /** User text: control and unknown tokens are never produced from the text. */
        PLAIN_TEXT,
        /** Template scaffolding: control-token texts become control tokens. */
        RECOGNISE
    }

    /** A tokenizer for the vocabulary; errors (unknown pre-tokenizer, malformed merges) name the offending value. */
    static Tokenizer of(Vocabulary vocabulary) {
        return switch (vocabulary.model()) {
            case SENTENCEPIECE -> new SpmTokenizer(vocabulary);
            case BYTE_LEVEL_BPE -> new BpeTokenizer(vocabulary);
        };
    }

    Vocabulary vocabulary();

    /**
     * Token ids for {@code text}. With {@code addSpecial}, BOS and EOS are added where the vocabulary asks for them
     * ({@link #addsBos()}, {@link #addsEos()}). Unpaired surrogates in {@code text} are treated as U+FFFD.
     */
    int[] encode(String text, boolean addSpecial, SpecialTokens specialTokens);

    /** Whether {@code encode(.., true, ..)} starts with BOS. */
    boolean addsBos();

    /** Whether {@code encode(.., true, ..)} ends with EOS. */
    boolean addsEos();

    /**
     * The bytes of one token (llama.cpp's token_to_piece): control and unknown tokens render as their text only
     * with {@code renderSpecial}, otherwise as nothing. The array is a copy.
     */
    byte[] piece(int id, boolean renderSpecial);

    /**
     * The bytes of a token sequence, as llama.cpp's detokenizer produces them without its lossy space clean-up:
     * for SentencePiece vocabularies with a space prefix, one leading space of the first token is dropped.
     */
    byte[] decodeBytes(int[] ids, boolean renderSpecial);

    /** {@link #decodeBytes} as text; invalid UTF-8 becomes U+FFFD (one per maximal invalid subsequence). */
    default String decode(int[] ids, boolean renderSpecial) {
        return Utf8.decode(decodeBytes(ids, renderSpecial));
    }

    /**
     * A decoder that receives ids one at a time and emits only complete UTF-8 text.
     *
     * @param atTextStart true when the first id starts a text (its space prefix is dropped, as {@link #decode}
     *                    does); false for a continuation such as generated tokens after a prompt.
     */
    default StreamingDecoder streamingDecoder(boolean renderSpecial, boolean atTextStart) {
        return new StreamingDecoder(this, renderSpecial, atTextStart);
    }

    /** Whether a leading space is added to text (SentencePiece's add_space_prefix) and so removed on decode. */
    boolean addsSpacePrefix();
}
