// The one runtime exception type of the compute engine; messages carry kernel, task, device and backend context.
package gale.compute;

/** A failure in the compute engine: a bad argument, a device error, a kernel that cannot be built. */
public class ComputeException extends RuntimeException {
    public ComputeException(String message) { super(message); }

    public ComputeException(String message, Throwable cause) { super(message, cause); }
}
