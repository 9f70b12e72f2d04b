package io.tubes.tube;

/**
 * A tube's name, the same after either domain restarts (domain ids change; names do not): the
 * nock's domain name, the tip's, and the index, written {@code nock>tip/index}, for example
 * {@code web>db/0}. Service properties, configurations and log lines name tubes by it.
 *
 * @param nock  the nock's domain name
 * @param tip   the tip's domain name
 * @param index the tube index
 */
public record TubeId(String nock, String tip, int index)
{
    public TubeId
    {
        checkName(nock, "nock");
        checkName(tip, "tip");
        if (index < 0)
        {
            throw new IllegalArgumentException("a tube index is 0 and up: index=" + index);
        }
    }

    /**
     * Reads {@code nock>tip/index}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static TubeId parse(final String text)
    {
        final int arrow = text.indexOf('>');
        final int slash = text.lastIndexOf('/');
        if (arrow < 0 || slash < arrow)
        {
            throw new IllegalArgumentException("a tube id is nock>tip/index, for example web>db/0: '" + text + "'");
        }
        final int index;
        try
        {
            index = Integer.parseInt(text.substring(slash + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("a tube id ends with its index, a number: '" + text + "'", e);
        }
        return new TubeId(text.substring(0, arrow), text.substring(arrow + 1, slash), index);
    }

    private static void checkName(final String name, final String which)
    {
        if (name == null || name.isEmpty() || name.chars().anyMatch(c -> c == '>' || c == '/' || c <= ' ' || c == 0x7F))
        {
            throw new IllegalArgumentException("the " + which + "'s domain name must be non-empty, without spaces, '>'"
                + " or '/': '" + name + "'");
        }
    }

    @Override
    public String toString()
    {
        return nock + ">" + tip + "/" + index;
    }
}
