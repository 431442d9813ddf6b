package io.shardloop.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nginx peer's configuration: N workers, one SO_REUSEPORT listener each, {@code /plaintext}
 * answered from the configuration itself, no access log, every path inside the run's directory.
 */
final class NginxConfig {
    private NginxConfig() {
    }

    static Path write(Path dir, int port, int workers) throws IOException {
        Files.createDirectories(dir.resolve("nginx-temp"));
        String t = dir.resolve("nginx-temp").toString();
        String conf = """
                worker_processes %d;
                daemon off;
                master_process on;
                pid %s;
                error_log %s warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %s/body;
                    proxy_temp_path %s/proxy;
                    fastcgi_temp_path %s/fastcgi;
                    uwsgi_temp_path %s/uwsgi;
                    scgi_temp_path %s/scgi;
                    keepalive_requests 100000000;
                    server {
                        listen 127.0.0.1:%d reuseport;
                        location = /plaintext {
                            default_type text/plain;
                            return 200 "Hello, World!";
                        }
                    }
                }
                """.formatted(workers, dir.resolve("nginx.pid"), dir.resolve("nginx-error.log"), t, t, t, t, t, port);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        return file;
    }
}
