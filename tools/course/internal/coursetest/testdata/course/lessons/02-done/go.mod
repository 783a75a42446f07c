module fixture/lessons/02-done

go 1.26.0
