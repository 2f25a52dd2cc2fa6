package org.cartrelay.connectors;

/**
 * A kind of target ({@code webhook}, …): the value of {@code type:} in a connector file, the record its keys bind to
 * and how a connector is made of both. Its keys, with their defaults, are described in
 * {@code schemas/connectors/<name>.schema.json} only; the loader fills the defaults in before the keys are bound. A
 * type is one package plus one line in {@link ConnectorTypes}.
 *
 * @param <S> the type's settings record
 */
public record ConnectorType<S>(String name, Class<S> settings, Factory<S> factory) {

    /** Makes a connector of a file's keys, bound to the type's settings record. */
    @FunctionalInterface
    public interface Factory<S> {
        Connector create(ConnectorDefinition definition, S settings);
    }

    public static <S> ConnectorType<S> of(String name, Class<S> settings, Factory<S> factory) {
        return new ConnectorType<>(name, settings, factory);
    }

    public Connector create(ConnectorDefinition definition) {
        return factory.create(definition, ConnectorLoader.bind(definition.file(), definition.config(), settings));
    }
}
