package io.tubes.xenstore;

/**
 * One entry of a node's permission list. The first entry of a list names the node's owner, who may
 * always read and write it, and its access also applies to every domain not listed; later entries
 * grant access to one domain each.
 *
 * @param domid  the domain the entry is about
 * @param access what that domain may do
 */
public record Permission(int domid, Access access)
{
    /** What a domain may do with a node, with the letter Xen uses for it on the wire. */
    public enum Access
    {
        NONE('n'), READ('r'), WRITE('w'), BOTH('b');

        private final char letter;

        Access(final char letter)
        {
            this.letter = letter;
        }

        /** The wire letter: {@code n}, {@code r}, {@code w} or {@code b}. */
        public char letter()
        {
            return letter;
        }

        /** Whether this access includes reading. */
        public boolean canRead()
        {
            return this == READ || this == BOTH;
        }

        /** Whether this access includes writing. */
        public boolean canWrite()
        {
            return this == WRITE || this == BOTH;
        }
    }

    /** The largest domain id Xen's 16-bit {@code domid_t} can hold. */
    public static final int MAX_DOMID = 0xFFFF;

    /** Checks the domain id and access. */
    public Permission
    {
        if (domid < 0 || domid > MAX_DOMID)
        {
            throw new IllegalArgumentException("domid must be in 0.." + MAX_DOMID + ": domid=" + domid);
        }
        if (access == null)
        {
            throw new IllegalArgumentException("access must not be null");
        }
    }

    /**
     * Parses Xen's wire form, a letter and a decimal domain id, such as {@code b0} or {@code r5}.
     *
     * @throws IllegalArgumentException naming the rule and the bad text
     */
    public static Permission parse(final String text)
    {
        final String rule = "permission must be n|r|w|b followed by a domid up to " + MAX_DOMID + ": '" + text + "'";
        if (text == null || text.length() < 2 || text.length() > 6)
        {
            throw new IllegalArgumentException(rule);
        }
        final Access access = accessOf(text.charAt(0));
        final String digits = text.substring(1);
        if (access == null || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
            || Integer.parseInt(digits) > MAX_DOMID)
        {
            throw new IllegalArgumentException(rule);
        }
        return new Permission(Integer.parseInt(digits), access);
    }

    private static Access accessOf(final char letter)
    {
        for (final Access access : Access.values())
        {
            if (access.letter == letter)
            {
                return access;
            }
        }
        return null;
    }

    /** Xen's wire form, such as {@code b0}. */
    @Override
    public String toString()
    {
        return access.letter + Integer.toString(domid);
    }
}
