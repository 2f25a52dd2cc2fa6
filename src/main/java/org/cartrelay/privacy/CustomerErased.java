package org.cartrelay.privacy;

/**
 * Published after {@link Erasure} erased a buyer from the database, for whatever else keeps that buyer's data (the
 * demo receiver): each listener forgets it too.
 */
public record CustomerErased(String email) {}
