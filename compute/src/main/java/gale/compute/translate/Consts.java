// Folds integer compile-time constant expressions (local memory sizes, loop steps) and writes C literals.
package gale.compute.translate;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.util.TreePath;

import javax.lang.model.element.Element;
import javax.lang.model.element.VariableElement;

/** Integer constant folding over trees, and constant values as C literals. Stateless; thread-safe. */
final class Consts {
    private Consts() {}

    /** The value of an integer constant expression, or null when it is not one. */
    static Long intValue(Ctx c, TreePath p) {
        Tree t = p.getLeaf();
        switch (t) {
            case LiteralTree l -> {
                Object v = l.getValue();
                if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
                if (v instanceof Character ch) return (long) ch;
                return null;
            }
            case ParenthesizedTree x -> { return intValue(c, new TreePath(p, x.getExpression())); }
            case TypeCastTree x -> {
                Long v = intValue(c, new TreePath(p, x.getExpression()));
                if (v == null) return null;
                return switch (x.getType().toString()) {
                    case "int" -> (long) v.intValue(); case "long" -> v; case "short" -> (long) v.shortValue();
                    case "byte" -> (long) v.byteValue(); case "char" -> (long) (char) v.longValue(); default -> null;
                };
            }
            case UnaryTree u -> {
                Long v = intValue(c, new TreePath(p, u.getExpression()));
                if (v == null) return null;
                return switch (u.getKind()) {
                    case UNARY_MINUS -> -v; case UNARY_PLUS -> v; case BITWISE_COMPLEMENT -> ~v; default -> null;
                };
            }
            case BinaryTree b -> {
                Long x = intValue(c, new TreePath(p, b.getLeftOperand())), y = intValue(c, new TreePath(p, b.getRightOperand()));
                if (x == null || y == null) return null;
                return switch (b.getKind()) {
                    case PLUS -> x + y; case MINUS -> x - y; case MULTIPLY -> x * y;
                    case DIVIDE -> y == 0 ? null : x / y; case REMAINDER -> y == 0 ? null : x % y;
                    case LEFT_SHIFT -> x << y; case RIGHT_SHIFT -> x >> y; case AND -> x & y; case OR -> x | y; case XOR -> x ^ y;
                    default -> null;
                };
            }
            default -> {
                Element e = c.trees.getElement(p);
                if (e instanceof VariableElement ve) {
                    Object v = ve.getConstantValue();
                    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
                    if (v instanceof Character ch) return (long) ch;
                }
                return null;
            }
        }
    }

    /** A float as a C literal; infinities and NaN through their bits. */
    static String floatLiteral(float f, Dialect d) {
        if (Float.isFinite(f)) {
            String s = Float.toString(f);
            return f < 0 ? "(" + s + "f)" : s + "f";
        }
        return d.bitsToFloat("0x" + Integer.toHexString(Float.floatToRawIntBits(f)));
    }

    static String intLiteral(long v) {
        if (v == Integer.MIN_VALUE) return "(-2147483647 - 1)";
        return v < 0 ? "(" + v + ")" : Long.toString(v);
    }
}
