package io.tubes.tube;

/**
 * The tube closed, or is closing, and cannot be used for this any more; the message is the reason
 * it closed ("closed by this side", "peer domain 7 (beta) closed the tube", "peer domain 7 (beta)
 * is gone").
 */
public class TubeClosedException extends TubeException
{
    private static final long serialVersionUID = 1L;

    public TubeClosedException(final String reason)
    {
        super(reason);
    }

    public TubeClosedException(final String reason, final Throwable cause)
    {
        super(reason, cause);
    }
}
