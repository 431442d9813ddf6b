package io.shardloop.persist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records, annotations, torn tails and damage, as the loader and check-aof see them. */
class AofReaderTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path p = dir.resolve("f.aof");
        Files.writeString(p, content, StandardCharsets.ISO_8859_1);
        return p;
    }

    private static final String SET_A = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";

    @Test
    void shouldSkipAnnotationLinesBetweenAndInsideRecords() throws Exception {
        Path p = file("#TS:1700000000\r\n" + SET_A + "*1\r\n$5\r\nMULTI\r\n#TS:1700000001\r\n" + SET_A
                + "*1\r\n$4\r\nEXEC\r\n");
        List<String> seen = new ArrayList<>();
        AofReader.Outcome o = AofReader.read(p, (commands, tx) -> seen.add(commands.size() + (tx ? "tx" : "")));
        assertEquals(List.of("1", "1tx"), seen);
        assertFalse(o.truncated());
        AofReader.Analysis a = AofReader.analyze(p);
        assertTrue(a.valid());
        assertEquals(Files.size(p), a.okUpTo());
        assertEquals(1 + 1 + 7 + 3 + 1 + 7 + 3, a.okUpToLine());
        // An annotation belongs to the record after it: one left at the end is cut with it, so that
        // a record appended later is never taken for the annotated one.
        long end = Files.size(p);
        Path dangling = file(Files.readString(p, StandardCharsets.ISO_8859_1) + "#TX:7:2\r\n");
        AofReader.Outcome cut = AofReader.read(dangling, (commands, tx) -> { });
        assertTrue(cut.truncated());
        assertEquals(end, cut.truncatedAt());
    }

    @Test
    void shouldTakeAnArgumentLongerThanTheRestOfTheFileForATornTail() throws Exception {
        Path p = file(SET_A + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$2000000000\r\nxy");
        AofReader.Outcome o = AofReader.read(p, (commands, tx) -> { });
        assertEquals(SET_A.length(), o.truncatedAt());
        AofReader.Analysis a = AofReader.analyze(p);
        assertEquals(SET_A.length(), a.okUpTo());
        assertEquals(8, a.okUpToLine());
        assertEquals(-1, a.wholeCommandAfter());
    }

    @Test
    void shouldFindTheWholeCommandAfterDamageInTheMiddle() throws Exception {
        String damaged = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\r";
        Path p = file(SET_A + damaged + SET_A);
        assertThrows(AofReader.CorruptException.class, () -> AofReader.read(p, (commands, tx) -> { }));
        AofReader.Analysis a = AofReader.analyze(p);
        assertEquals(SET_A.length(), a.okUpTo());
        assertEquals(SET_A.length() + damaged.length() - 2, a.damageAt());
        assertEquals("an argument not followed by CRLF", a.damage());
        assertEquals(SET_A.length() + damaged.length(), a.wholeCommandAfter());
    }
}
