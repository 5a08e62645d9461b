package io.statusstream.benchmarks.server;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The connector half of the starter README's many-streams recipe for Tomcat ({@code bench.tomcat.tuned=true}; the
 * header sizes are plain properties the runner passes): 1 KB application read and write buffers per socket instead
 * of 8 KB, and no pool of socket buffers kept for reuse. An idle stream reads nothing after its request and writes a
 * heartbeat now and then, so neither needs more.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bench.tomcat.tuned", havingValue = "true")
class TunedTomcatConfiguration {

    static final int SOCKET_BUFFER_BYTES = 1024;

    @Bean
    TomcatConnectorCustomizer smallSocketBuffers() {
        return connector -> {
            connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_BUFFER_BYTES));
            connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_BUFFER_BYTES));
            connector.setProperty("socket.bufferPool", "0");
        };
    }
}
