package io.tubes.xenstore.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Payloads are NUL-terminated strings, sometimes followed by raw bytes (a written value). These
 * helpers build and split them. Strings map to bytes one to one (ISO-8859-1), so a token or value
 * comes back byte for byte whatever it holds; paths are ASCII by Xen's rules anyway.
 */
public final class XsPayload
{
    private XsPayload()
    {
    }

    /** Each string NUL-terminated, one after the other ({@code "a\0b\0"}). */
    public static byte[] strings(final String... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final String part : parts)
        {
            out.writeBytes(part.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** One NUL-terminated string followed by raw bytes, as {@code XS_WRITE} wants. */
    public static byte[] stringThenBytes(final String first, final byte[] rest)
    {
        final byte[] head = first.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] payload = new byte[head.length + 1 + rest.length];
        System.arraycopy(head, 0, payload, 0, head.length);
        System.arraycopy(rest, 0, payload, head.length + 1, rest.length);
        return payload;
    }

    /**
     * The NUL-terminated strings at the start of a payload, as Xen's {@code get_strings} finds them;
     * bytes after the last NUL are not part of any.
     */
    public static List<String> split(final byte[] payload, final int length)
    {
        final List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++)
        {
            if (payload[i] == 0)
            {
                parts.add(new String(payload, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return parts;
    }

    /** The payload of an {@code XS_ERROR} reply, or of an {@code OK} acknowledgement, as text without NUL. */
    public static String text(final byte[] payload)
    {
        int end = payload.length;
        while (end > 0 && payload[end - 1] == 0)
        {
            end--;
        }
        return new String(payload, 0, end, StandardCharsets.ISO_8859_1);
    }
}
