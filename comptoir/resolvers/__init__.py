"""Query and mutation resolvers per domain: parse, authorise (declaratively), call one service."""
