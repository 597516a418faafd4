// When a task graph copies an array between host and device.
package gale.compute;

/** When a {@link TaskGraph} transfer happens. */
public enum DataTransferMode {
    /** Only the first time the plan executes (weights, constants). Shared by every graph of the plan. */
    FIRST_EXECUTION,
    /** At every execution (inputs that change, results that are read each time). */
    EVERY_EXECUTION
}
