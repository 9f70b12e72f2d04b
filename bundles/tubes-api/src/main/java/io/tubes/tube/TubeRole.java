package io.tubes.tube;

/** The two ends of a tube: the nock opens it, the tip accepts it. */
public enum TubeRole
{
    NOCK("nock"),
    TIP("tip");

    private final String node;

    TubeRole(final String node)
    {
        this.node = node;
    }

    /** The name of this end's directory under {@code data}, and of the node that points to it. */
    public String node()
    {
        return node;
    }

    /** The other end. */
    public TubeRole other()
    {
        return this == NOCK ? TIP : NOCK;
    }
}
