package io.shardloop.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help that reads at 80 columns: wrapped at words, examples whole. */
class HelpTextTest {
    private static final int WIDTH = 80;

    private static String help(String command) {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setUsageHelpWidth(WIDTH);
        cli.setOut(new PrintWriter(out, true));
        String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "serve", "load", "scale", "check-aof"})
    void shouldFitEveryLineInEightyColumns(String command) {
        List<String> tooLong = new ArrayList<>();
        for (String line : help(command).lines().toList()) {
            if (line.length() > WIDTH) {
                tooLong.add(line.length() + ": " + line);
            }
        }
        assertEquals(List.of(), tooLong);
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "load", "scale", "check-aof"})
    void shouldPrintEveryExampleLineWhole(String command) {
        String text = help(command);
        String[] footer = Main.commandLine().getSubcommands().get(command).getCommandSpec().usageMessage().footer();
        int examples = 0;
        for (String line : footer) {
            if (line.startsWith("  shardloop ") || line.startsWith("      ") || line.startsWith("                 ")) {
                examples++;
                assertTrue(text.lines().anyMatch(l -> l.equals(line)), "printed unbroken: '" + line + "'\n" + text);
            }
        }
        assertTrue(examples >= 3, "the help has examples");
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "load", "scale", "check-aof"})
    void shouldEndNoDescriptionLineMidSentenceBeforeAShortOne(String command) {
        // picocli starts a new line for every element of a description array: an element that ends
        // mid-sentence shows as a line broken at the width, then a short line, then the rest.
        String[] description = Main.commandLine().getSubcommands().get(command).getCommandSpec().usageMessage()
                .description();
        for (String paragraph : description) {
            String end = paragraph.replace("%n", "").strip();
            assertTrue(end.endsWith(".") || end.endsWith(":"), "a description paragraph ends a sentence: '" + end + "'");
        }
    }
}
