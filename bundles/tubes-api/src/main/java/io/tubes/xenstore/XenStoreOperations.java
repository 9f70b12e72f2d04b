package io.tubes.xenstore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The node operations, available both directly on a {@link XenStore} and inside a
 * {@link XenStoreTransaction}. Paths are absolute ({@code /local/domain/5/name}) or relative to the
 * caller's own domain path ({@code name}). Every failure is a {@link XenStoreException} carrying
 * Xen's error name where xenstored gave one.
 */
@ProviderType
public interface XenStoreOperations
{
    /** The node's value; {@code ENOENT} if it does not exist, {@code EACCES} if it may not be read. */
    byte[] read(String path) throws XenStoreException;

    /** The node's value as UTF-8 text. */
    default String readString(final String path) throws XenStoreException
    {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    /** The node's value as UTF-8 text, or empty when the node does not exist. */
    default Optional<String> tryRead(final String path) throws XenStoreException
    {
        try
        {
            return Optional.of(readString(path));
        }
        catch (final XenStoreException e)
        {
            if (e.is(XenStoreError.ENOENT))
            {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Whether the node exists and may be read. */
    default boolean exists(final String path) throws XenStoreException
    {
        return tryRead(path).isPresent();
    }

    /** Sets the node's value, creating it and any missing parents. */
    void write(String path, byte[] value) throws XenStoreException;

    /** Sets the node's value to UTF-8 text. */
    default void write(final String path, final String value) throws XenStoreException
    {
        write(path, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates the node with an empty value unless it exists. */
    void mkdir(String path) throws XenStoreException;

    /** Removes the node and everything below it; removing a missing node whose parent exists is fine. */
    void rm(String path) throws XenStoreException;

    /** The names of the node's children, in the order they were created. */
    List<String> directory(String path) throws XenStoreException;

    /** The node's permission list, owner first. */
    List<Permission> getPermissions(String path) throws XenStoreException;

    /** Replaces the node's permission list; only its owner (or dom0) may, and only dom0 may change the owner. */
    void setPermissions(String path, List<Permission> permissions) throws XenStoreException;
}
