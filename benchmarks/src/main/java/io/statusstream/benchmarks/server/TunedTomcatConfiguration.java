package io.statusstream.benchmarks.server;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The connector half of the starter README's many-streams recipe for Tomcat (the header sizes are plain properties the
 * runner passes): {@code bench.tomcat.socket-buffer-size} sets each socket's application read and write buffers (8 KB
 * unless set), {@code bench.tomcat.buffer-pool=false} turns off the pool of socket buffers kept for reuse. An idle
 * stream reads nothing after its request and writes a heartbeat now and then, so neither needs more. Without either
 * property the connector keeps Tomcat's defaults.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(TomcatConnectorCustomizer.class)
class TunedTomcatConfiguration {

    @Bean
    TomcatConnectorCustomizer streamSocketBuffers(@Value("${bench.tomcat.socket-buffer-size:0}") int socketBufferSize,
                                                  @Value("${bench.tomcat.buffer-pool:true}") boolean bufferPool) {
        return connector -> {
            if (socketBufferSize > 0) {
                connector.setProperty("socket.appReadBufSize", Integer.toString(socketBufferSize));
                connector.setProperty("socket.appWriteBufSize", Integer.toString(socketBufferSize));
            }
            if (!bufferPool) {
                connector.setProperty("socket.bufferPool", "0");
            }
        };
    }
}
