// Raised when a model produces NaN or infinite logits: the request fails instead of emitting token 0 forever.
package gale.engine.generate;

/** The model produced NaN or Inf logits. */
public final class NonFiniteLogitsException extends RuntimeException {
    public NonFiniteLogitsException(String message) { super(message); }
}
