from core_server.cli import main

main()
