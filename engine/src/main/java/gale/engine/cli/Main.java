// Entry point of the gale command line: picocli dispatch to the subcommands.
package gale.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gale} command. */
@Command(name = "gale", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gale: a heterogeneous LLM compute engine in plain Java (jvm, OpenCL and CUDA backends).",
        subcommands = {RunCommand.class, ChatCommand.class, TokenizeCommand.class, LogitsCommand.class, BenchCommand.class, CompareCommand.class,
                DevicesCommand.class, SelftestCommand.class, KernelsCommand.class, SyntheticCommand.class, TrainCommand.class, FinetuneCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call it without System.exit). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("gale: " + describe(ex));
            if (Boolean.getBoolean("gale.debug")) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        // bad options: one line and a pointer to --help, not the whole usage text
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("gale: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }

    /** One line for an error: its message, with the kind of I/O failure where the message is only a path. */
    static String describe(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) return "no such file: " + m;
        if (ex instanceof java.nio.file.AccessDeniedException) return "permission denied: " + m;
        if (ex instanceof java.nio.file.FileSystemException || m == null || m.isBlank()) return ex.getClass().getSimpleName() + (m != null ? ": " + m : "");
        return m.strip().replace('\n', ' ');
    }

    /** Version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"gale " + (v != null ? v : "0.1.0-SNAPSHOT"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"};
        }
    }
}
