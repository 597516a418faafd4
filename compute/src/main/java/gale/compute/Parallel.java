// Marks a for-loop index whose iterations are independent: the loop's index space becomes the launch grid.
package gale.compute;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On the index variable of a {@code for} loop in a {@link Kernel}: the iterations are independent and may run in
 * any order, in parallel. Up to three nested {@code @Parallel} loops map to grid dimensions 0, 1, 2 (outermost first).
 * See {@code compute/KERNELS.md}.
 */
@Retention(RetentionPolicy.SOURCE)
@Target({ElementType.LOCAL_VARIABLE})
public @interface Parallel {}
