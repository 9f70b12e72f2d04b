package io.tubes.xenstore.wire;

/**
 * XenStore path rules (Xen 4.17 {@code docs/misc/xenstore.txt} and {@code is_valid_nodename}).
 * A path is absolute ({@code /local/domain/5/data}) or relative to the connection's domain path;
 * it has only ASCII letters, digits and {@code -/_@}, no {@code //}, no trailing {@code /} but for
 * the root. Names starting with {@code @} are the special watch names.
 */
public final class XsPaths
{
    /** {@code XENSTORE_ABS_PATH_MAX}. */
    public static final int ABS_PATH_MAX = 3072;

    /**
     * {@code XENSTORE_REL_PATH_MAX}; xenstored allows this many characters after a domain's home
     * ({@code /local/domain/N/}), or in all for any other absolute path.
     */
    public static final int REL_PATH_MAX = 2048;

    /** The special name fired when a domain is introduced. */
    public static final String INTRODUCE_DOMAIN = "@introduceDomain";

    /** The special name fired when a domain is released or dies. */
    public static final String RELEASE_DOMAIN = "@releaseDomain";

    private static final String DOMAIN_PREFIX = "/local/domain/";

    private XsPaths()
    {
    }

    /** The home path of a domain. */
    public static String domainPath(final int domid)
    {
        return DOMAIN_PREFIX + domid;
    }

    /** Whether {@code path} names {@code @introduceDomain} or {@code @releaseDomain}. */
    public static boolean isSpecial(final String path)
    {
        return INTRODUCE_DOMAIN.equals(path) || RELEASE_DOMAIN.equals(path);
    }

    /** The absolute form of {@code path} for a connection whose home is {@code domainPath}. */
    public static String canonical(final String path, final String domainPath)
    {
        if (path.isEmpty() || path.charAt(0) == '/' || path.charAt(0) == '@')
        {
            return path;
        }
        return domainPath + "/" + path;
    }

    /** Whether an absolute path is valid under the rules above. */
    public static boolean isValidAbsolute(final String path)
    {
        if (path.isEmpty() || path.charAt(0) != '/')
        {
            return false;
        }
        if (path.length() > 1 && path.charAt(path.length() - 1) == '/')
        {
            return false;
        }
        if (path.contains("//"))
        {
            return false;
        }
        if (path.length() - localOffset(path) > REL_PATH_MAX)
        {
            return false;
        }
        for (int i = 0; i < path.length(); i++)
        {
            if (!isValidChar(path.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** The parent of an absolute path; the root's parent is the root. */
    public static String parent(final String path)
    {
        final int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The last component of an absolute path. */
    public static String name(final String path)
    {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The absolute path of child {@code name} of {@code parent}. */
    public static String child(final String parent, final String name)
    {
        return "/".equals(parent) ? "/" + name : parent + "/" + name;
    }

    /** Whether {@code path} is {@code ancestor} or below it, component-wise. */
    public static boolean isAtOrBelow(final String path, final String ancestor)
    {
        if ("/".equals(ancestor))
        {
            return true;
        }
        return path.startsWith(ancestor)
            && (path.length() == ancestor.length() || path.charAt(ancestor.length()) == '/');
    }

    private static boolean isValidChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '/' || c == '_' || c == '@';
    }

    /** Length of a {@code /local/domain/N/} prefix (N of at most five digits), else 0, as xenstored counts it. */
    private static int localOffset(final String path)
    {
        if (!path.startsWith(DOMAIN_PREFIX))
        {
            return 0;
        }
        int i = DOMAIN_PREFIX.length();
        final int digitsStart = i;
        while (i < path.length() && i - digitsStart < 5 && Character.isDigit(path.charAt(i)))
        {
            i++;
        }
        return i > digitsStart && i < path.length() && path.charAt(i) == '/' ? i + 1 : 0;
    }
}
