package io.tubes.xenstore.wire;

/**
 * XenStore message types, with the numbers of {@code enum xsd_sockmsg_type} in Xen 4.17.
 * Number 20 (the removed {@code XS_RESTRICT}) has no constant.
 */
public enum XsMessageType
{
    CONTROL(0),
    DIRECTORY(1),
    READ(2),
    GET_PERMS(3),
    WATCH(4),
    UNWATCH(5),
    TRANSACTION_START(6),
    TRANSACTION_END(7),
    INTRODUCE(8),
    RELEASE(9),
    GET_DOMAIN_PATH(10),
    WRITE(11),
    MKDIR(12),
    RM(13),
    SET_PERMS(14),
    WATCH_EVENT(15),
    ERROR(16),
    IS_DOMAIN_INTRODUCED(17),
    RESUME(18),
    SET_TARGET(19),
    RESET_WATCHES(21),
    DIRECTORY_PART(22);

    private static final XsMessageType[] BY_CODE = new XsMessageType[23];

    static
    {
        for (final XsMessageType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    XsMessageType(final int code)
    {
        this.code = code;
    }

    /** The number on the wire. */
    public int code()
    {
        return code;
    }

    /** The type with this wire number, or {@code null} for a number Xen 4.17 does not define. */
    public static XsMessageType fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
