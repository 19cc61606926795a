from smartcustoms.cli.main import main

main()
