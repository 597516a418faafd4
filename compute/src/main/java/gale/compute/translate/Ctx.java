// What every translation pass shares for one compilation: javac's tree utilities and the error sink.
package gale.compute.translate;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.Trees;

import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import java.util.HashSet;
import java.util.Set;

/**
 * javac's utilities plus error reporting that carries file:line (through {@link Trees#printMessage}) and reports
 * each (construct, message) once, although a helper is translated once per kernel that calls it and per dialect.
 * Used by one processor round on javac's thread; not thread-safe.
 */
final class Ctx {
    final ProcessingEnvironment env;
    final Trees trees;
    final Elements elements;
    final Types types;
    final SourcePositions positions;
    private final Set<String> reported = new HashSet<>();
    int errors;

    Ctx(ProcessingEnvironment env) {
        this.env = env;
        this.trees = Trees.instance(env);
        this.elements = env.getElementUtils();
        this.types = env.getTypeUtils();
        this.positions = trees.getSourcePositions();
    }

    /** A compile error at {@code tree}; {@code kernel} names the kernel (or helper) being translated. */
    void error(String kernel, Tree tree, CompilationUnitTree cu, String msg) {
        String key = System.identityHashCode(tree) + ":" + msg;
        if (!reported.add(key)) return;
        errors++;
        trees.printMessage(Diagnostic.Kind.ERROR, "Gale kernel " + kernel + ": " + msg, tree, cu);
    }

    /** "File.java:line" of a tree. */
    String location(Tree tree, CompilationUnitTree cu) {
        long pos = positions.getStartPosition(cu, tree);
        String file = cu.getSourceFile().getName();
        file = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
        return file + ":" + cu.getLineMap().getLineNumber(pos);
    }

    /** Qualified name of a declared type, or "" for anything else. */
    static String qualifiedName(TypeMirror t) {
        if (t == null || t.getKind() != TypeKind.DECLARED) return "";
        return ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().toString();
    }

    static String ownerName(Element e) {
        Element o = e.getEnclosingElement();
        return o instanceof TypeElement te ? te.getQualifiedName().toString() : "";
    }
}
