package io.tubes.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstored.XenStored;

/** Path completion against a real xenstored, as a console would ask for it. */
class XenStorePathCompleterTest
{
    @TempDir
    Path dir;

    /** What the console passes: the word under the cursor, and how much of it is typed. */
    private record Typed(String word) implements CommandLine
    {
        @Override
        public int getCursorArgumentIndex()
        {
            return 1;
        }

        @Override
        public String getCursorArgument()
        {
            return word;
        }

        @Override
        public int getArgumentPosition()
        {
            return word.length();
        }

        @Override
        public String[] getArguments()
        {
            return new String[] {"xs:ls", word};
        }

        @Override
        public int getBufferPosition()
        {
            return 6 + word.length();
        }

        @Override
        public String getBuffer()
        {
            return "xs:ls " + word;
        }
    }

    private static List<String> complete(final XenStorePathCompleter completer, final String typed)
    {
        final List<String> candidates = new ArrayList<>();
        completer.complete(null, new Typed(typed), candidates);
        candidates.replaceAll(String::trim);
        return candidates;
    }

    @Test
    void completesTheChildrenOfWhatIsTyped() throws Exception
    {
        try (XenStored xenstored = XenStored.start(dir);
             XenStoreConnection client = XenStoreClients.connect(XenStoreAddress.of(xenstored.dom0Socket())))
        {
            client.write("/local/domain/3/name", "web");
            client.write("/local/domain/3/data/x", "1");
            final XenStorePathCompleter completer = new XenStorePathCompleter();
            completer.xs = client;
            assertEquals(List.of("/local"), complete(completer, "/lo"));
            assertEquals(List.of("/local/domain/3/data", "/local/domain/3/name"), complete(completer, "/local/domain/3/"));
            assertEquals(List.of("/local/domain/3/name"), complete(completer, "/local/domain/3/n"));
            assertEquals(List.of(), complete(completer, "/nowhere/x"));
        }
    }
}
